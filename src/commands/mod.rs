//! Standalone commands.
