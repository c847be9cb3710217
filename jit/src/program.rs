//! A compiled program and its runs.

use crate::call;
use crate::code::CodeBuffer;
use crate::config::JitConfig;
use crate::context::{JitContext, Outcome, RegionWindow};
use crate::env::Env;
use crate::error::JitError;
use crate::lower::{lower, STACK_FRAME_SIZE};
use crate::trap::Trap;
use crate::x64::{Features, Runtime, X64};
use ferrobpf_vm::helpers::HelperRegistry;
use ferrobpf_vm::memory::{RegionKind, RegionTable, Stack, StackLayout};
use ferrobpf_vm::program::Program;

/// Frames of the call stack: the entry function plus nested local calls.
pub const STACK_FRAMES: usize = 8;

/// A program compiled to host code.
#[derive(Debug)]
pub struct JitProgram {
    code: CodeBuffer,
    config: JitConfig,
}

/// Initial state of one run.
#[derive(Debug)]
pub struct RunArgs {
    /// r1 and r2 on entry (memory pointer and length, or context pointer).
    pub r1: u64,
    /// See `r1`.
    pub r2: u64,
    /// Instructions allowed when the program was compiled with metering.
    pub budget: u64,
}

impl JitProgram {
    /// Compiles `program` with `config`.
    pub fn compile(program: &Program, config: &JitConfig) -> Result<JitProgram, JitError> {
        let runtime = Runtime {
            lookup: call::lookup as *const () as u64,
            helper: call::helper as *const () as u64,
            packet: call::packet as *const () as u64,
            max_depth: (STACK_FRAMES - 1) as u64,
            frame_size: STACK_FRAME_SIZE as i32,
        };
        let masm = X64::new(runtime, Features::detect())?;
        let code = lower(program.insns(), config, masm)?;
        Ok(JitProgram {
            code,
            config: *config,
        })
    }

    /// The options it was compiled with.
    pub fn config(&self) -> &JitConfig {
        &self.config
    }

    /// The generated code.
    pub fn code(&self) -> &CodeBuffer {
        &self.code
    }

    /// Runs over `memory` (which must hold the stack laid out as `stack`) with
    /// `helpers`; returns r0 or the trap that stopped the run.
    pub fn run(
        &self,
        memory: &mut RegionTable<'_>,
        stack: &StackLayout,
        helpers: &HelperRegistry,
        args: &RunArgs,
    ) -> Result<u64, Trap> {
        let mut regs = [0u64; 11];
        regs[1] = args.r1;
        regs[2] = args.r2;
        regs[10] = stack.frame_pointer(0);
        let stack_base = stack.frame_pointer(stack.frames());
        let stack_len = stack.frame_size() * stack.frames() as u64;
        let first = memory
            .regions()
            .first()
            .map(|r| (r.addr(), r.len(), r.writable()));
        // Start every window on the first region (usually the input), or on the
        // stack, which is always a region large enough for any access.
        let window = |size: u64, store: bool| {
            first
                .filter(|(_, _, w)| *w || !store)
                .and_then(|(s, l, _)| RegionWindow::new(s, l, size))
                .or_else(|| RegionWindow::new(stack_base, stack_len, size))
                .unwrap_or_default()
        };
        let load_window = std::array::from_fn(|i| window(1 << i, false));
        let store_window = std::array::from_fn(|i| window(1 << i, true));
        let mut ctx = JitContext {
            regs,
            args: [0; 5],
            saved_sp: 0,
            depth: 0,
            budget: args.budget,
            load_window,
            store_window,
            outcome: Outcome::default(),
            env: std::ptr::null_mut(),
        };
        let mut env = Env {
            memory,
            helpers,
            trap: None,
        };
        call::enter(&self.code, &mut ctx, &mut env)
    }

    /// Runs over one writable input buffer (r1 = its address, r2 = its length) and a
    /// fresh stack.
    pub fn run_on(
        &self,
        mem: &mut [u8],
        helpers: &HelperRegistry,
        budget: u64,
    ) -> Result<u64, Trap> {
        let args = RunArgs {
            r1: mem.as_ptr() as u64,
            r2: mem.len() as u64,
            budget,
        };
        let mut stack = Stack::new(STACK_FRAMES, STACK_FRAME_SIZE as usize);
        let mut table = RegionTable::new();
        table.add_writable(RegionKind::Input, mem);
        let layout = stack.attach(&mut table);
        self.run(&mut table, &layout, helpers, &args)
    }
}
