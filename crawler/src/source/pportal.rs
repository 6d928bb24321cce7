//! The `pportal` source kind (placeholder while it is written).
