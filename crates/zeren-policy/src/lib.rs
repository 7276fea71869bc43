//! Zeren policy engine.
