//! The crate's own program representation: [`POp`] (every op that is pure without a shell
//! host), [`PConst`] (constant-pool values), and [`Program`] (ops plus pools), and its
//! lowering to both crates' `ChunkBuilder`s.
//!
//! Invariant: `POp` cannot express an op that touches processes, stdio or the file system
//! (`Exec`, `ExecBg`, `CallFunction`, `Glob`, `GlobRecursive`, `TestFile`, `Print`,
//! `PrintLn`, `ReadLine`), so no program built here can reach the host. The one op list in
//! `define_pops!` generates the enum and both lowerings, so the two VMs always receive the
//! same op.

use std::collections::BTreeMap;
use std::fmt;

/// Generates `POp` and its two lowerings from one list of `Variant(field: type, ..)`.
macro_rules! define_pops {
    ($( $name:ident $( ( $( $f:ident : $t:ty ),+ ) )? ),* $(,)?) => {
        /// One op of a test program (the pure subset of `fusevm::Op`, same names/operands).
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum POp {
            $( $name $( ( $( $t ),+ ) )?, )*
        }

        impl POp {
            /// The same op in our crate.
            pub fn to_ours(self) -> fusevm::Op {
                match self {
                    $( POp::$name $( ( $( $f ),+ ) )? => fusevm::Op::$name $( ( $( $f ),+ ) )?, )*
                }
            }

            /// The same op in upstream 0.12.2.
            pub fn to_upstream(self) -> fusevm_upstream::Op {
                match self {
                    $( POp::$name $( ( $( $f ),+ ) )? => fusevm_upstream::Op::$name $( ( $( $f ),+ ) )?, )*
                }
            }
        }
    };
}

define_pops! {
    Nop, LoadInt(a: i64), LoadFloat(a: f64), LoadConst(a: u16), LoadTrue, LoadFalse, LoadUndef,
    Pop, Dup, Dup2, Swap, Rot,
    GetVar(a: u16), SetVar(a: u16), DeclareVar(a: u16), GetSlot(a: u16), SetSlot(a: u16),
    SlotArrayGet(a: u16), SlotArraySet(a: u16),
    GetArray(a: u16), SetArray(a: u16), DeclareArray(a: u16), ArrayGet(a: u16), ArraySet(a: u16),
    ArrayPush(a: u16), ArrayPop(a: u16), ArrayShift(a: u16), ArrayLen(a: u16), MakeArray(a: u16),
    GetHash(a: u16), SetHash(a: u16), DeclareHash(a: u16), HashGet(a: u16), HashSet(a: u16),
    HashDelete(a: u16), HashExists(a: u16), HashKeys(a: u16), HashValues(a: u16), MakeHash(a: u16),
    Add, Sub, Mul, Div, Mod, Pow, Negate, Inc, Dec,
    Concat, StringRepeat, StringLen,
    NumEq, NumNe, NumLt, NumGt, NumLe, NumGe, Spaceship,
    StrEq, StrNe, StrLt, StrGt, StrLe, StrGe, StrCmp,
    LogNot, LogAnd, LogOr, BitAnd, BitOr, BitXor, BitNot, Shl, Shr,
    Jump(a: usize), JumpIfTrue(a: usize), JumpIfFalse(a: usize), JumpIfTrueKeep(a: usize),
    JumpIfFalseKeep(a: usize),
    Call(a: u16, b: u8), Return, ReturnValue, PushFrame, PopFrame,
    Range, RangeStep,
    MapBlock(a: u16), GrepBlock(a: u16), SortBlock(a: u16), SortDefault, ForEachBlock(a: u16),
    PreIncSlot(a: u16), SlotLtIntJumpIfFalse(a: u16, b: i32, c: usize),
    SlotIncLtIntJumpBack(a: u16, b: i32, c: usize), AccumSumLoop(a: u16, b: u16, c: i32),
    ConcatConstLoop(a: u16, b: u16, c: u16, d: i32), PushIntRangeLoop(a: u16, b: u16, c: i32),
    AddAssignSlotVoid(a: u16, b: u16), PreIncSlotVoid(a: u16),
    CallBuiltin(a: u16, b: u8), Extended(a: u16, b: u8), ExtendedWide(a: u16, b: usize),
    PipelineBegin(a: u8), PipelineStage, PipelineEnd, Redirect(a: u8, b: u8), HereDoc(a: u16),
    HereString, CmdSubst(a: u16), SubshellBegin, SubshellEnd, ProcessSubIn(a: u16),
    ProcessSubOut(a: u16), SetStatus, GetStatus, TrapSet(a: u16), TrapCheck, ExpandParam(a: u8),
    WordSplit, BraceExpand, TildeExpand, StrMatch, RegexMatch, WithRedirectsBegin(a: u8),
    WithRedirectsEnd,
}

impl POp {
    /// The jump target carried by this op, if any.
    pub fn target(self) -> Option<usize> {
        match self {
            POp::Jump(t)
            | POp::JumpIfTrue(t)
            | POp::JumpIfFalse(t)
            | POp::JumpIfTrueKeep(t)
            | POp::JumpIfFalseKeep(t)
            | POp::SlotLtIntJumpIfFalse(_, _, t)
            | POp::SlotIncLtIntJumpBack(_, _, t) => Some(t),
            _ => None,
        }
    }

    /// The constant-pool index this op reads, if any.
    pub fn const_index(self) -> Option<usize> {
        match self {
            POp::LoadConst(c) | POp::HereDoc(c) | POp::ConcatConstLoop(c, _, _, _) => Some(c as usize),
            _ => None,
        }
    }

    /// The same op with its jump target (if it has one) replaced.
    pub fn with_target(self, t: usize) -> POp {
        match self {
            POp::Jump(_) => POp::Jump(t),
            POp::JumpIfTrue(_) => POp::JumpIfTrue(t),
            POp::JumpIfFalse(_) => POp::JumpIfFalse(t),
            POp::JumpIfTrueKeep(_) => POp::JumpIfTrueKeep(t),
            POp::JumpIfFalseKeep(_) => POp::JumpIfFalseKeep(t),
            POp::SlotLtIntJumpIfFalse(s, l, _) => POp::SlotLtIntJumpIfFalse(s, l, t),
            POp::SlotIncLtIntJumpBack(s, l, _) => POp::SlotIncLtIntJumpBack(s, l, t),
            other => other,
        }
    }
}

/// A constant-pool value, convertible to either crate's `Value`.
#[derive(Clone, PartialEq)]
pub enum PConst {
    Undef,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<PConst>),
    Hash(BTreeMap<String, PConst>),
    Status(i32),
    Ref(Box<PConst>),
    NativeFn(u16),
}

/// Shorthand for `PConst::Str`.
pub fn s(text: &str) -> PConst {
    PConst::Str(text.to_string())
}

/// Generates one `PConst -> Value` conversion per crate (their constructors are the same).
macro_rules! define_to_value {
    ($fn:ident, $krate:ident) => {
        /// This constant as a value of the named crate.
        pub fn $fn(&self) -> $krate::Value {
            use $krate::Value as V;
            match self {
                PConst::Undef => V::Undef,
                PConst::Bool(b) => V::Bool(*b),
                PConst::Int(n) => V::Int(*n),
                PConst::Float(f) => V::Float(*f),
                PConst::Str(s) => V::str(s.as_str()),
                PConst::Array(items) => V::array(items.iter().map(PConst::$fn).collect()),
                PConst::Hash(map) => V::hash(
                    map.iter()
                        .map(|(k, v)| (k.clone(), v.$fn()))
                        .collect::<std::collections::HashMap<String, V>>(),
                ),
                PConst::Status(c) => V::Status(*c),
                PConst::Ref(inner) => V::Ref(Box::new(inner.$fn())),
                PConst::NativeFn(id) => V::NativeFn(*id),
            }
        }
    };
}

impl PConst {
    define_to_value!(to_ours, fusevm);
    define_to_value!(to_upstream, fusevm_upstream);
}

impl fmt::Debug for PConst {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PConst::Undef => write!(f, "undef"),
            PConst::Bool(b) => write!(f, "{b}"),
            PConst::Int(n) => write!(f, "{n}"),
            PConst::Float(x) => write!(f, "{x:?}f"),
            PConst::Str(s) => write!(f, "{s:?}"),
            PConst::Array(items) => f.debug_list().entries(items).finish(),
            PConst::Hash(map) => f.debug_map().entries(map).finish(),
            PConst::Status(c) => write!(f, "status({c})"),
            PConst::Ref(inner) => write!(f, "ref({inner:?})"),
            PConst::NativeFn(id) => write!(f, "native_fn({id})"),
        }
    }
}

/// A whole test program: ops plus the pools both chunks get.
#[derive(Clone, PartialEq, Default)]
pub struct Program {
    pub ops: Vec<POp>,
    pub constants: Vec<PConst>,
    pub names: Vec<String>,
    /// `(name index, entry ip)` function table.
    pub subs: Vec<(u16, usize)>,
    /// Number of (empty) sub-chunks, for `CmdSubst`/`ProcessSub*`/`TrapSet`.
    pub sub_chunks: usize,
    /// Install the test extension handlers ([`crate::run`]) in both VMs.
    pub handlers: bool,
}

/// Generates one lowering per crate through its `ChunkBuilder` (identical APIs).
macro_rules! define_build {
    ($fn:ident, $krate:ident, $lower:ident, $val:ident) => {
        /// Builds the chunk for the named crate.
        pub fn $fn(&self) -> $krate::Chunk {
            let mut b = $krate::ChunkBuilder::new();
            for c in &self.constants {
                b.add_constant(c.$val());
            }
            for n in &self.names {
                b.add_name(n);
            }
            for (ip, op) in self.ops.iter().enumerate() {
                b.emit(op.$lower(), ip as u32 + 1);
            }
            for &(name, ip) in &self.subs {
                b.add_sub_entry(name, ip);
            }
            for _ in 0..self.sub_chunks {
                b.add_sub_chunk($krate::Chunk::new());
            }
            b.build()
        }
    };
}

impl Program {
    /// A program of just these ops (empty pools, no functions, no handlers).
    pub fn new(ops: Vec<POp>) -> Self {
        Program {
            ops,
            ..Program::default()
        }
    }

    define_build!(build_ours, fusevm, to_ours, to_ours);
    define_build!(build_upstream, fusevm_upstream, to_upstream, to_upstream);

    /// Sets the constant pool.
    pub fn consts(mut self, constants: Vec<PConst>) -> Self {
        self.constants = constants;
        self
    }

    /// Sets the name pool.
    pub fn names(mut self, names: &[&str]) -> Self {
        self.names = names.iter().map(|n| n.to_string()).collect();
        self
    }

    /// Registers function `name_idx` entering at `ip`.
    pub fn sub(mut self, name_idx: u16, ip: usize) -> Self {
        self.subs.push((name_idx, ip));
        self
    }

    /// Installs the test extension handlers.
    pub fn with_handlers(mut self) -> Self {
        self.handlers = true;
        self
    }

    /// Adds `n` empty sub-chunks.
    pub fn with_sub_chunks(mut self, n: usize) -> Self {
        self.sub_chunks = n;
        self
    }
}

/// Assembly-style listing; this is what a failing (shrunk) case prints.
impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f)?;
        // Only the constants the ops use, so a shrunk case stays short.
        let used: Vec<usize> = (0..self.constants.len())
            .filter(|&i| self.ops.iter().any(|op| op.const_index() == Some(i)))
            .collect();
        for &i in &used {
            writeln!(f, "  .const c{i} = {:?}", self.constants[i])?;
        }
        if used.len() < self.constants.len() {
            writeln!(
                f,
                "  ; {} unused constants not shown",
                self.constants.len() - used.len()
            )?;
        }
        if !self.names.is_empty() {
            let names: Vec<String> = self
                .names
                .iter()
                .enumerate()
                .map(|(i, n)| format!("{i}:{n}"))
                .collect();
            writeln!(f, "  .names {}", names.join(" "))?;
        }
        if self.sub_chunks > 0 {
            writeln!(f, "  .sub_chunks {}", self.sub_chunks)?;
        }
        if self.handlers {
            writeln!(f, "  .handlers on")?;
        }
        for (ip, op) in self.ops.iter().enumerate() {
            for &(name, entry) in &self.subs {
                if entry == ip {
                    let label = self.names.get(name as usize).map_or("?", String::as_str);
                    writeln!(f, "{label}:")?;
                }
            }
            writeln!(f, "  {ip:4}  {op:?}")?;
        }
        write!(f, "  {:4}  <end>", self.ops.len())
    }
}
