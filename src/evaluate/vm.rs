//! Running the pack on regorus's bytecode VM (RVM), for `--engine vm`.
//!
//! The tree-walking interpreter resolves paths and allocates at every step.
//! Compiling the pack once to RVM bytecode, and reusing one VM per worker
//! thread, evaluates the same Rego about three times faster on the benchmark
//! snapshot (see bench/README.md). The VM compiler does not take every
//! construct (notably `with`, which only tests use); a pack it rejects runs on
//! the interpreter instead, and an account whose run fails on the VM is run
//! again on the interpreter, rule by rule, so a failure stays with the rule
//! that caused it. The engines agree on every fixture except the
//! event detections, a VM defect pinned there (`tests/engines.rs`). What the VM does differently, and why it is not the
//! default, is said on [`EngineChoice`](super::EngineChoice).

use std::sync::Arc;

use regorus::rvm::{Program, RegoVM};

/// The package of the generated entry point. Pack files must declare
/// `trailaudit.<path>`, so no rule or library can take this name.
const ENTRY_PACKAGE: &str = "trailaudit_engine.entry";

/// The pack compiled to bytecode, with the data (configuration) every run sees.
pub struct VmPack {
    program: Arc<Program>,
    data: regorus::Value,
    rules: usize,
    /// `--rule-timeout`, for the VM's own execution timer.
    timeout: std::time::Duration,
}

impl VmPack {
    /// Compiles the `results` of `packages` (in order) from a loaded engine.
    /// An `Err` says why the VM cannot run this pack; the caller then uses the
    /// interpreter.
    pub fn compile(
        engine: &regorus::Engine,
        packages: &[&str],
        data: regorus::Value,
        timeout: std::time::Duration,
    ) -> anyhow::Result<VmPack> {
        let mut engine = engine.clone();
        // One entry point for the whole pack, so library rules shared by
        // several rules are computed once per account.
        let list = super::query::combined_query(packages.iter().copied());
        engine.add_policy("<trailaudit entry>".to_owned(), format!("package {ENTRY_PACKAGE}\n\nresults := {list}\n"))?;
        let entry: regorus::Rc<str> = format!("data.{ENTRY_PACKAGE}.results").into();
        let compiled = engine.compile_with_entrypoint(&entry)?;
        let program = regorus::languages::rego::compiler::Compiler::compile_from_policy(&compiled, &[&entry])?;
        Ok(VmPack { program, data, rules: packages.len(), timeout })
    }

    /// A VM ready to run the pack; make one per thread and reuse it.
    pub fn machine(&self) -> anyhow::Result<RegoVM> {
        let mut vm = RegoVM::new();
        // The default budget (25,000 instructions) is meant for small admission
        // policies; a whole account is judged here, and its size is bounded by
        // the snapshot, not by an untrusted caller.
        vm.set_max_instructions(usize::MAX);
        vm.set_execution_timer_config(Some(crate::pack::timer_config(self.timeout)));
        vm.load_program(self.program.clone());
        vm.set_data(self.data.clone())?;
        Ok(vm)
    }

    /// Every rule's `results` for one input, in the order of `compile`'s
    /// packages; `None` when the VM could not produce them all (a rule failed at
    /// run time, or one's `results` is undefined): the caller re-runs the account
    /// on the interpreter, which tells which rule it was.
    pub fn run(&self, vm: &mut RegoVM, input: regorus::Value) -> Option<Vec<regorus::Value>> {
        vm.set_input(input);
        let value = vm.execute().ok()?;
        let items = value.as_array().ok()?;
        (items.len() == self.rules).then(|| items.to_vec())
    }
}
