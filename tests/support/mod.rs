//! Test support for the collector: a moto server per test, and seeding helpers.
#![allow(dead_code)]

pub mod deny_proxy;
pub mod fault_proxy;
pub mod moto;
pub mod organization;
pub mod seed;
