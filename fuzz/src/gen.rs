//! Structured programs from fuzzer bytes, driven by the ISA table.
//!
//! A [`Recipe`] (derived with `arbitrary`) lists steps per function: single
//! instructions whose form is drawn from [`TABLE`] by index, counted loops and local
//! calls. [`build`] lays the steps out as a valid program for a [`Target`]: every
//! register written before it is read, every jump inside its function, memory
//! operands placed around the regions of the run (in and out of bounds). The
//! [`Profile`] decides how wild the program may be.

use arbitrary::Arbitrary;
use ferrobpf_vm::insn::{Insn, FRAME_POINTER};
use ferrobpf_vm::isa::{AluOp, Op, Operands, Pseudo, Semantics, Size, Source, Width, TABLE};
use ferrobpf_vm::{encode_program, Spec};

/// Most steps per function (longer recipes are cut).
pub const MAX_STEPS: usize = 48;
/// Most instructions in a loop body.
pub const MAX_BODY: usize = 12;
/// Most functions besides the entry function.
pub const MAX_SUBPROGRAMS: usize = 3;
/// Bytes of each frame a [`Profile::Kernel`] program uses (zeroed by its prologue).
pub const KERNEL_STACK: i16 = 64;
/// The loop counter register.
const COUNTER: u8 = 8;
/// Where [`Profile::Kernel`] programs keep the input pointer.
const KERNEL_BASE: u8 = 9;

/// How wild the generated programs are.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Anything the interpreter and the JITs accept: every form of the table, jumps
    /// anywhere inside their function (loops end by the budget), recursion, helper
    /// calls with known and unknown ids, accesses in and out of bounds.
    Wild,
    /// Programs the Linux verifier can accept and that behave the same under every
    /// engine: forward jumps and counted loops, accesses inside the input and the
    /// zeroed top [`KERNEL_STACK`] bytes of the frame, calls only to later functions,
    /// no helpers, no legacy packet loads, no constant operands the kernel refuses.
    Kernel,
}

/// What the program is built for.
#[derive(Clone, Debug)]
pub struct Target {
    /// The profile.
    pub profile: Profile,
    /// Address of the input (0 when unknown): [`Profile::Wild`] helper calls pass
    /// pointers into it.
    pub input_addr: u64,
    /// Length of the input (r1 points at it, r2 holds the length).
    pub input_len: usize,
    /// [`Profile::Kernel`]: r1 points at a context whose first eight bytes hold the
    /// input's address (instead of at the input itself).
    pub input_in_context: bool,
    /// Ids of the helpers [`Step::Helper`] calls (none: such steps are left out).
    pub helpers: Vec<u32>,
    /// Further regions, as (address, length): their addresses are loaded into r3,
    /// r4, ... by the entry function's prologue ([`Profile::Wild`] only).
    pub regions: Vec<(u64, usize)>,
    /// Bytes per stack frame.
    pub frame_size: usize,
    /// Maps the program may name (`lddw map_idx` and `map_idx_value`, index below
    /// this), [`Profile::Wild`] only.
    pub maps: usize,
    /// [`Profile::Wild`] helper arguments may point into the stack (the stack's
    /// address then reaches registers: not for differential runs).
    pub stack_args: bool,
    /// Keep atomic accesses aligned to their size (relative to the region or frame
    /// start). Misaligned atomics are a known gap of the x86-64 JIT (split locks, see
    /// `fuzz/regressions/diff_jit/README.md`); [`Profile::Kernel`] always aligns them.
    pub align_atomics: bool,
}

/// The fuzzer's choices for a whole program.
#[derive(Arbitrary, Clone, Debug)]
pub struct Recipe {
    /// Initial register values are derived from it.
    pub seed: u64,
    /// Steps of the entry function.
    pub main: Vec<Step>,
    /// Steps of each further function.
    pub subprograms: Vec<Vec<Step>>,
}

/// One step of a function.
#[derive(Arbitrary, Clone, Debug)]
pub enum Step {
    /// One instruction.
    Insn(Choice),
    /// A loop running its body `count % 8 + 1` times (counter in r8).
    Loop {
        /// Iterations, reduced.
        count: u8,
        /// The body.
        body: Vec<Choice>,
    },
    /// A local call of the function with this number (reduced to the functions there are).
    Call(u8),
    /// A helper call with r1-r3 set up ([`Profile::Kernel`]: r1 = a pointer into the
    /// input at the first argument's byte, r2 = a length that fits, r3 = a number).
    Helper {
        /// Which of [`Target::helpers`].
        which: u8,
        /// r1-r3.
        args: [Arg; 3],
    },
}

/// A helper argument ([`Profile::Wild`]).
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Arg {
    /// A number.
    Number(i32),
    /// A size, up to 255.
    Size(u8),
    /// A pointer around the input (offset - 8).
    Input(u8),
    /// A pointer below r10 by the offset + 1 (a plain number unless
    /// [`Target::stack_args`]).
    Stack(u8),
    /// The map with this index (a plain number without [`Target::maps`]).
    Map(u8),
}

impl Arg {
    /// One byte of the choice (offsets and sizes of [`Profile::Kernel`] set-ups).
    fn byte(self) -> u8 {
        match self {
            Arg::Number(v) => v as u8,
            Arg::Size(v) | Arg::Input(v) | Arg::Stack(v) | Arg::Map(v) => v,
        }
    }
}

/// Raw choices for one instruction.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub struct Choice {
    /// Index into the forms of the profile.
    pub form: u16,
    /// Destination register choice.
    pub dst: u8,
    /// Source register choice.
    pub src: u8,
    /// Offset choice.
    pub off: i16,
    /// Immediate choice.
    pub imm: Imm,
    /// Where a memory access goes.
    pub place: Place,
    /// Jump target choice.
    pub target: u16,
}

/// An immediate.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Imm {
    /// A small value.
    Small(i8),
    /// A value from [`EDGES`].
    Edge(u8),
    /// Any 32-bit value.
    Raw(i32),
    /// Any 64-bit value (for LDDW; other forms keep the low 32 bits).
    Wide(i64),
}

/// Boundary values for immediates.
pub const EDGES: [i64; 14] = [
    0,
    1,
    -1,
    7,
    8,
    31,
    32,
    63,
    64,
    i32::MAX as i64,
    i32::MIN as i64,
    0x7fff,
    -0x8000,
    0x1_0000,
];

impl Imm {
    /// The value.
    pub fn value(self) -> i64 {
        match self {
            Imm::Small(v) => i64::from(v),
            Imm::Edge(i) => EDGES[usize::from(i) % EDGES.len()],
            Imm::Raw(v) => i64::from(v),
            Imm::Wide(v) => v,
        }
    }
}

/// Where a memory access goes.
#[derive(Arbitrary, Clone, Copy, Debug)]
pub enum Place {
    /// Around the input (through r1).
    Input,
    /// Around the current frame (through r10).
    Stack,
    /// Around one of the further regions (through r3, r4, ...).
    Region(u8),
    /// Through any register with any offset.
    Anywhere(u8),
}

/// How an item's jump or call target is chosen.
#[derive(Clone, Copy, Debug)]
enum Jump {
    None,
    /// A raw choice, resolved among the allowed targets of the item's function.
    Within(u16),
    /// The first item of function `n`.
    Function(usize),
    /// Item `n`.
    Item(usize),
}

/// An instruction before layout.
#[derive(Clone, Copy, Debug)]
struct Item {
    op: Op,
    dst: u8,
    src: u8,
    off: i16,
    imm: i64,
    jump: Jump,
    /// Kernel profile: which jumps may land here (`Some(0)`: top level, `Some(k)`:
    /// loop k's body, `None`: nowhere).
    scope: Option<usize>,
}

impl Item {
    fn new(op: Op, dst: u8, src: u8, off: i16, imm: i64) -> Item {
        Item {
            op,
            dst,
            src,
            off,
            imm,
            jump: Jump::None,
            scope: Some(0),
        }
    }
}

/// The forms a profile draws from.
pub fn forms(target: &Target) -> Vec<Op> {
    TABLE
        .iter()
        .filter(|s| allowed(target, s))
        .map(|s| s.op)
        .collect()
}

fn allowed(target: &Target, spec: &Spec) -> bool {
    let profile = target.profile;
    match spec.semantics {
        Semantics::LddwHigh | Semantics::CallLocal => false,
        Semantics::Lddw(Pseudo::MapIdx | Pseudo::MapIdxValue) => {
            profile == Profile::Wild && target.maps > 0
        }
        Semantics::Lddw(p) => p == Pseudo::Imm64 || (p == Pseudo::Func && profile == Profile::Wild),
        Semantics::CallHelper | Semantics::Callx | Semantics::LdAbs(_) | Semantics::LdInd(_) => {
            profile == Profile::Wild
        }
        _ => true,
    }
}

/// Builds the program `recipe` describes for `target`, in its wire form.
pub fn build(recipe: &Recipe, target: &Target) -> Vec<u8> {
    let mut b = Builder {
        target,
        forms: forms(target),
        items: Vec::new(),
        functions: Vec::new(),
        loops: 0,
        function_count: 1 + recipe.subprograms.len().min(MAX_SUBPROGRAMS),
        seed: recipe.seed,
    };
    let subs = recipe.subprograms.iter().take(MAX_SUBPROGRAMS);
    for (f, steps) in std::iter::once(&recipe.main).chain(subs).enumerate() {
        b.function(f, steps);
    }
    encode_program(&b.layout())
}

struct Builder<'t> {
    target: &'t Target,
    forms: Vec<Op>,
    items: Vec<Item>,
    /// Item ranges of the functions built so far.
    functions: Vec<std::ops::Range<usize>>,
    loops: usize,
    function_count: usize,
    seed: u64,
}

impl Builder<'_> {
    fn kernel(&self) -> bool {
        self.target.profile == Profile::Kernel
    }

    fn push(&mut self, item: Item) {
        self.items.push(item);
    }

    fn mov(&mut self, dst: u8, imm: i64) {
        self.push(Item::new(Op::Mov64Imm, dst, 0, 0, imm));
    }

    /// A register's initial value: varied magnitudes, derived from the seed.
    fn constant(&self, reg: u8) -> i64 {
        let r = u32::from(reg);
        i64::from((self.seed.rotate_left(r * 7) as i32) >> ((r % 4) * 8))
    }

    fn function(&mut self, f: usize, steps: &[Step]) {
        let start = self.items.len();
        self.prologue(f);
        for step in steps.iter().take(MAX_STEPS) {
            match step {
                Step::Insn(c) => self.choice(c, Some(0)),
                Step::Loop { count, body } => self.counted_loop(*count, body),
                Step::Call(n) => self.call(f, usize::from(*n)),
                Step::Helper { which, args } => self.helper(*which, args),
            }
        }
        if self.kernel() && f == 0 {
            // The kernel refuses functions nobody calls.
            for callee in 1..self.function_count {
                self.call_to(callee);
            }
        }
        self.push(Item::new(Op::Exit, 0, 0, 0, 0));
        self.functions.push(start..self.items.len());
    }

    /// Initialises every register the function may read.
    fn prologue(&mut self, f: usize) {
        if self.kernel() {
            // Keep the input pointer in r9, the other registers hold numbers only.
            if f == 0 && self.target.input_in_context {
                self.push(Item::new(Op::LdxDw, KERNEL_BASE, 1, 0, 0));
            } else {
                self.push(Item::new(Op::Mov64Reg, KERNEL_BASE, 1, 0, 0));
            }
            for r in (0..KERNEL_BASE).filter(|&r| f != 0 || r != 2) {
                self.mov(r, self.constant(r));
            }
            for k in 1..=KERNEL_STACK / 8 {
                self.push(Item::new(Op::StDw, FRAME_POINTER, 0, -8 * k, 0));
            }
            return;
        }
        let first = if f == 0 { 3 } else { 6 };
        self.mov(0, self.constant(0));
        for r in first..=9 {
            self.mov(r, self.constant(r));
        }
        if f == 0 {
            for (i, (addr, _)) in self.target.regions.iter().take(3).enumerate() {
                self.push(Item::new(Op::Lddw, 3 + i as u8, 0, 0, *addr as i64));
            }
        }
    }

    fn counted_loop(&mut self, count: u8, body: &[Choice]) {
        self.loops += 1;
        let scope = Some(self.loops);
        self.mov(COUNTER, i64::from(count % 8) + 1);
        let top = self.items.len();
        for c in body.iter().take(MAX_BODY) {
            self.choice(c, scope);
        }
        let mut dec = Item::new(Op::Add64Imm, COUNTER, 0, 0, -1);
        dec.scope = scope;
        self.push(dec);
        let mut back = Item::new(Op::JneImm, COUNTER, 0, 0, 0);
        back.jump = Jump::Item(top);
        back.scope = None;
        self.push(back);
    }

    fn call(&mut self, from: usize, n: usize) {
        let callee = if self.kernel() {
            // No recursion: only later functions.
            let later = self.function_count - from - 1;
            if later == 0 {
                return;
            }
            from + 1 + n % later
        } else {
            n % self.function_count
        };
        self.call_to(callee);
    }

    fn call_to(&mut self, callee: usize) {
        if self.kernel() {
            self.push(Item::new(Op::Mov64Reg, 1, KERNEL_BASE, 0, 0));
        }
        let mut call = Item::new(Op::CallLocal, 0, 0, 0, 0);
        call.jump = Jump::Function(callee);
        // A jump straight to the call would skip passing the input pointer.
        call.scope = None;
        self.push(call);
        self.forget_arguments();
    }

    /// The kernel forgets r1-r5 at a call: they get numbers again.
    fn forget_arguments(&mut self) {
        if self.kernel() {
            for r in 1..=5 {
                self.mov(r, self.constant(r + 16));
            }
        }
    }

    fn helper(&mut self, which: u8, args: &[Arg; 3]) {
        let Some(&id) = self
            .target
            .helpers
            .get(usize::from(which) % self.target.helpers.len().max(1))
        else {
            return;
        };
        let start = self.items.len();
        if self.kernel() {
            // Inside the input, the length at most what is left of it.
            let input = self.target.input_len;
            let offset = usize::from(args[0].byte()) % input.max(1);
            let len = usize::from(args[1].byte()) % (input - offset + 1);
            self.push(Item::new(Op::Mov64Reg, 1, KERNEL_BASE, 0, 0));
            self.push(Item::new(Op::Add64Imm, 1, 0, 0, offset as i64));
            self.mov(2, len as i64);
            let value = match args[2] {
                Arg::Number(v) => i64::from(v),
                other => i64::from(other.byte()),
            };
            self.mov(3, value);
        } else {
            for (reg, arg) in (1..).zip(args) {
                self.argument(reg, *arg);
            }
        }
        self.push(Item::new(Op::Call, 0, 0, 0, i64::from(id)));
        // Jumps land on the first instruction of the set-up only.
        for it in &mut self.items[start + 1..] {
            it.scope = None;
        }
        self.forget_arguments();
    }

    /// Sets `reg` to a [`Profile::Wild`] helper argument.
    fn argument(&mut self, reg: u8, arg: Arg) {
        match arg {
            Arg::Number(v) => self.mov(reg, i64::from(v)),
            Arg::Size(n) => self.mov(reg, i64::from(n)),
            Arg::Input(o) => {
                let at = self
                    .target
                    .input_addr
                    .wrapping_add(u64::from(o))
                    .wrapping_sub(8);
                self.push(Item::new(Op::Lddw, reg, 0, 0, at as i64));
            }
            Arg::Stack(o) if self.target.stack_args => {
                self.push(Item::new(Op::Mov64Reg, reg, FRAME_POINTER, 0, 0));
                self.push(Item::new(Op::Add64Imm, reg, 0, 0, -i64::from(o) - 1));
            }
            Arg::Map(k) if self.target.maps > 0 => {
                let index = usize::from(k) % self.target.maps;
                self.push(Item::new(Op::LddwMapIdx, reg, 0, 0, index as i64));
            }
            Arg::Stack(n) | Arg::Map(n) => self.mov(reg, i64::from(n)),
        }
    }

    fn dst(&self, x: u8) -> u8 {
        if self.kernel() {
            x % 8
        } else {
            x % 10
        }
    }

    /// Never r10 as a value: the stack's address differs between engines.
    fn src(&self, x: u8) -> u8 {
        self.dst(x)
    }

    fn choice(&mut self, c: &Choice, scope: Option<usize>) {
        let op = self.forms[usize::from(c.form) % self.forms.len()];
        let spec = op.spec();
        let mut it = Item::new(op, self.dst(c.dst), self.src(c.src), c.off, c.imm.value());
        it.scope = scope;
        if self.kernel() && spec.semantics.ends_block() {
            // The kernel refuses unreachable code: a conditional jump over the
            // block's end keeps the next instruction reachable.
            let mut guard = Item::new(Op::JneImm, it.dst, 0, 0, it.imm);
            guard.jump = Jump::Item(self.items.len() + 2);
            guard.scope = scope;
            self.push(guard);
        }
        match spec.semantics {
            Semantics::Alu(alu, width, Source::Imm) if self.kernel() => {
                it.imm = kernel_alu_imm(alu, width, it.imm);
            }
            Semantics::Ja | Semantics::Gotol | Semantics::Jcond(..) => {
                it.jump = Jump::Within(c.target);
            }
            Semantics::CallHelper => {
                it.imm = match c.imm {
                    Imm::Small(v) => i64::from(v & 7),
                    other => other.value(),
                };
            }
            Semantics::Lddw(Pseudo::MapIdx) => it.imm = i64::from(c.src) % self.target.maps as i64,
            Semantics::Lddw(Pseudo::MapIdxValue) => {
                let index = i64::from(c.src) % self.target.maps as i64;
                it.imm = (i64::from(c.off % 64) << 32) | index;
            }
            Semantics::Lddw(Pseudo::Func) => {
                it.jump = Jump::Function(usize::from(c.target) % self.function_count);
            }
            Semantics::Load(size, _) => {
                (it.src, it.off) = self.place(c, size, false, it.dst, scope);
            }
            Semantics::StoreImm(size) | Semantics::StoreReg(size) => {
                let scratch = (it.src + 1) % 8;
                (it.dst, it.off) = self.place(c, size, false, scratch, scope);
            }
            Semantics::Atomic(_, size, _) => {
                let (base, off) = self.place(c, size, true, 0, scope);
                let bytes = size.bytes() as i16;
                let aligned = self.target.align_atomics && !self.kernel();
                (it.dst, it.off) = (
                    base,
                    if aligned {
                        off - off.rem_euclid(bytes)
                    } else {
                        off
                    },
                );
            }
            _ => {}
        }
        self.push(it);
        let stored_through = match spec.semantics {
            Semantics::StoreImm(_) | Semantics::StoreReg(_) => Some(it.dst),
            _ => None,
        };
        if let Some(base) = stored_through.filter(|b| self.kernel() && *b < KERNEL_BASE) {
            // A computed pointer must not stay in a register: as data it would leak
            // an address (which differs between engines).
            let mut reset = Item::new(Op::Mov64Imm, base, 0, 0, self.constant(base));
            reset.scope = None;
            self.push(reset);
        }
    }

    /// Base register and offset of an access of `size` bytes. A
    /// [`Profile::Kernel`] access through [`Place::Anywhere`] (not atomic) goes
    /// through a pointer computed into `scratch` at run time, bounded by a mask or a
    /// compare that may or may not keep it inside the input (the verifiers must tell).
    fn place(
        &mut self,
        c: &Choice,
        size: Size,
        atomic: bool,
        scratch: u8,
        scope: Option<usize>,
    ) -> (u8, i16) {
        let bytes = size.bytes() as i32;
        let off = i32::from(c.off);
        let around = |len: usize| {
            let span = i32::try_from(len).unwrap_or(i32::MAX - 16) + 16;
            (off.rem_euclid(span) - 8) as i16
        };
        if self.kernel() {
            return match c.place {
                Place::Anywhere(x) if !atomic => {
                    self.computed_pointer(scratch, x % 8, c.target, scope);
                    (scratch, (off.rem_euclid(16)) as i16)
                }
                Place::Stack => {
                    let slots = i32::from(KERNEL_STACK) / bytes;
                    (FRAME_POINTER, (-bytes * (1 + off.rem_euclid(slots))) as i16)
                }
                _ => {
                    let room = i32::try_from(self.target.input_len)
                        .unwrap_or(0)
                        .saturating_sub(bytes)
                        .max(0);
                    let at = off.rem_euclid(room + 1);
                    let at = if atomic { at - at % bytes } else { at };
                    (KERNEL_BASE, at as i16)
                }
            };
        }
        match c.place {
            Place::Input => (1, around(self.target.input_len)),
            Place::Stack => {
                let span = i32::try_from(self.target.frame_size).unwrap_or(4096) + 24;
                (FRAME_POINTER, (8 - off.rem_euclid(span)) as i16)
            }
            Place::Region(k) if !self.target.regions.is_empty() => {
                let k = usize::from(k) % self.target.regions.len().min(3);
                (3 + k as u8, around(self.target.regions[k].1))
            }
            Place::Region(x) | Place::Anywhere(x) => (x % 11, c.off),
        }
    }

    /// `scratch` = the input pointer plus `from` bounded by a mask (`and`) or by an
    /// unsigned or signed compare, per `how`'s low bits; the bound is `how >> 8` (up
    /// to 127, so sometimes past the input).
    fn computed_pointer(&mut self, scratch: u8, from: u8, how: u16, scope: Option<usize>) {
        let bound = i64::from((how >> 8) & 127);
        let start = self.items.len();
        self.push(Item::new(Op::Mov64Reg, scratch, from, 0, 0));
        match how % 3 {
            0 => self.push(Item::new(Op::And64Imm, scratch, 0, 0, bound)),
            k => {
                let op = if k == 1 { Op::JleImm } else { Op::JsleImm };
                let mut keep = Item::new(op, scratch, 0, 0, bound);
                keep.jump = Jump::Item(self.items.len() + 2);
                self.push(keep);
                self.mov(scratch, 0);
            }
        }
        self.push(Item::new(Op::Add64Reg, scratch, KERNEL_BASE, 0, 0));
        for it in &mut self.items[start..] {
            it.scope = if it.op == Op::Mov64Reg { scope } else { None };
        }
    }

    /// The allowed targets of a jump at item `at` in function `range`.
    fn targets(&self, at: usize, range: &std::ops::Range<usize>) -> Vec<usize> {
        if !self.kernel() {
            return range.clone().collect();
        }
        let scope = self.items[at].scope;
        (at + 1..range.end)
            .filter(|&t| {
                let s = self.items[t].scope;
                s.is_some() && (s == scope || s == Some(0))
            })
            .collect()
    }

    /// Slots for every item, jumps resolved.
    fn layout(&self) -> Vec<Insn> {
        let mut slot = Vec::with_capacity(self.items.len());
        let mut next = 0i64;
        for it in &self.items {
            slot.push(next);
            next += if it.op.spec().operands == Operands::Wide {
                2
            } else {
                1
            };
        }
        let mut insns = Vec::with_capacity(next as usize);
        for range in &self.functions {
            for i in range.clone() {
                let it = self.items[i];
                let target = match it.jump {
                    Jump::None => None,
                    Jump::Item(t) => Some(t),
                    Jump::Function(f) => self.functions.get(f).map(|r| r.start),
                    Jump::Within(raw) => {
                        let targets = self.targets(i, range);
                        (!targets.is_empty()).then(|| targets[usize::from(raw) % targets.len()])
                    }
                };
                let (mut off, mut imm) = (it.off, it.imm);
                if let Some(t) = target {
                    let rel = slot[t] - slot[i] - 1;
                    match it.op.spec().semantics {
                        Semantics::Gotol | Semantics::CallLocal | Semantics::Lddw(_) => imm = rel,
                        _ => off = rel as i16,
                    }
                }
                let insn = Insn::new(it.op, it.dst, it.src, off, imm);
                insns.push(insn);
                if it.op.spec().operands == Operands::Wide {
                    insns.push(Insn::new(Op::LddwHigh, 0, 0, 0, insn.imm >> 32));
                }
            }
        }
        insns
    }
}

/// An ALU immediate the Linux verifier accepts: shift amounts inside the width,
/// no constant zero divisor.
fn kernel_alu_imm(op: AluOp, width: Width, imm: i64) -> i64 {
    let bits = match width {
        Width::W32 => 32,
        Width::W64 => 64,
    };
    match op {
        AluOp::Lsh | AluOp::Rsh | AluOp::Arsh => imm.rem_euclid(bits),
        AluOp::Div | AluOp::Sdiv | AluOp::Mod | AluOp::Smod if imm as i32 == 0 => 1,
        _ => imm,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arbitrary::Unstructured;
    use ferrobpf_vm::interp::{Config, Vm};
    use ferrobpf_vm::program::Program;
    use std::collections::BTreeMap;

    /// Pseudo-random bytes (xorshift), so the test needs no fuzzer.
    fn bytes(seed: u64, len: usize) -> Vec<u8> {
        let mut x = seed | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Builds programs from random recipes; returns how their runs ended.
    fn outcomes(profile: Profile) -> BTreeMap<String, usize> {
        let target = Target {
            profile,
            input_addr: 0,
            input_len: 64,
            input_in_context: false,
            helpers: match profile {
                Profile::Wild => crate::helpers::IDS.collect(),
                Profile::Kernel => crate::helpers::TYPED.collect(),
            },
            regions: Vec::new(),
            frame_size: 512,
            align_atomics: false,
            maps: 0,
            stack_args: false,
        };
        let vm = Vm::with_helpers(
            Config {
                instruction_budget: Some(5000),
                ..Config::default()
            },
            crate::helpers::registry(),
        );
        let mut seen = BTreeMap::new();
        for seed in 0..2000 {
            let data = bytes(seed, 2048);
            let Ok(recipe) = Recipe::arbitrary(&mut Unstructured::new(&data)) else {
                continue;
            };
            let code = build(&recipe, &target);
            let program = Program::from_bytes(&code)
                .unwrap_or_else(|e| panic!("seed {seed}: generated program refused: {e}"));
            let outcome = match vm.run(&program, &mut [0u8; 64]) {
                Ok(_) => "exit".to_string(),
                Err(e) => e
                    .kind
                    .to_string()
                    .split(' ')
                    .take(2)
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            *seen.entry(outcome).or_default() += 1;
        }
        seen
    }

    #[test]
    fn wild_programs_load_and_end_every_way() {
        let seen = outcomes(Profile::Wild);
        println!("{seen:?}");
        for kind in ["exit", "out of", "instruction budget", "unknown helper"] {
            assert!(seen.keys().any(|k| k.starts_with(kind)), "{kind}: {seen:?}");
        }
    }

    /// Only computed pointers may leave the input (the verifiers refuse those).
    #[test]
    fn kernel_programs_load_and_exit_or_stray_through_computed_pointers() {
        let seen = outcomes(Profile::Kernel);
        println!("{seen:?}");
        assert!(seen.contains_key("exit"), "{seen:?}");
        assert!(
            seen.keys().all(|k| k == "exit" || k == "out of"),
            "{seen:?}"
        );
    }
}
