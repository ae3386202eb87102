//! `fusevm::shell_builtins`: the well-known IDs frontends pass to `Op::CallBuiltin`, and the
//! name → ID lookup [`builtin_id`].
//!
//! The VM attaches no meaning to these numbers; a frontend registers a handler per ID with
//! `VM::register_builtin`. IDs and names are upstream's. Invariants: every ID is below
//! [`BUILTIN_MAX`] and unique; [`builtin_id`] is an exact, case-sensitive lookup of the
//! lower-case command name, driven by the single table the `builtins!` invocation below
//! expands to. Two upstream irregularities are kept (quirk D6): `"declare"` resolves to
//! [`BUILTIN_TYPESET`] and `"."` to [`BUILTIN_SOURCE`], so [`BUILTIN_DECLARE`] and
//! [`BUILTIN_DOT`] are never returned.

/// Declares one `pub const` per builtin and the `(name, id)` lookup table in one place.
/// `CONST = id => "name", "alias", ...;` — the first name documents the constant; a
/// constant without names is not reachable through [`builtin_id`].
macro_rules! builtins {
    ($(
        $(#[$attr:meta])*
        $konst:ident = $id:literal $(=> $first:literal $(, $alias:literal)*)?;
    )*) => {
        $(
            $(#[$attr])*
            $(#[doc = concat!("Builtin ID of `", $first, "`.")])?
            pub const $konst: u16 = $id;
        )*

        /// Every name [`builtin_id`] accepts, with its ID (aliases included).
        const NAMES: &[(&str, u16)] = &[
            $($( ($first, $id), $( ($alias, $id), )* )?)*
        ];

        /// Every constant with its Rust name, for the tests.
        #[cfg(test)]
        const CONSTANTS: &[(&str, u16)] = &[$((stringify!($konst), $konst),)*];
    };
}

builtins! {
    // core
    BUILTIN_CD = 0 => "cd", "chdir";
    BUILTIN_PWD = 1 => "pwd";
    BUILTIN_ECHO = 2 => "echo";
    BUILTIN_PRINT = 3 => "print";
    BUILTIN_PRINTF = 4 => "printf";
    BUILTIN_EXPORT = 5 => "export";
    BUILTIN_UNSET = 6 => "unset";
    BUILTIN_SOURCE = 7 => "source", ".";
    BUILTIN_EXIT = 8 => "exit", "bye", "logout";
    BUILTIN_RETURN = 9 => "return";
    BUILTIN_TRUE = 10 => "true";
    BUILTIN_FALSE = 11 => "false";
    BUILTIN_TEST = 12 => "test", "[";
    BUILTIN_COLON = 13 => ":";
    /// Builtin ID of `.`. Never returned by [`builtin_id`], which maps `"."` to
    /// [`BUILTIN_SOURCE`] (upstream behaviour).
    BUILTIN_DOT = 14;
    // declarations
    BUILTIN_LOCAL = 20 => "local";
    /// Builtin ID of `declare`. Never returned by [`builtin_id`], which maps `"declare"` to
    /// [`BUILTIN_TYPESET`] (upstream behaviour).
    BUILTIN_DECLARE = 21;
    BUILTIN_TYPESET = 22 => "typeset", "declare";
    BUILTIN_READONLY = 23 => "readonly";
    BUILTIN_INTEGER = 24 => "integer";
    BUILTIN_FLOAT = 25 => "float";
    // I/O
    BUILTIN_READ = 30 => "read";
    BUILTIN_MAPFILE = 31 => "mapfile", "readarray";
    // control
    BUILTIN_BREAK = 40 => "break";
    BUILTIN_CONTINUE = 41 => "continue";
    BUILTIN_SHIFT = 42 => "shift";
    BUILTIN_EVAL = 43 => "eval";
    BUILTIN_EXEC = 44 => "exec";
    BUILTIN_COMMAND = 45 => "command";
    BUILTIN_BUILTIN = 46 => "builtin";
    BUILTIN_LET = 47 => "let";
    // jobs
    BUILTIN_JOBS = 50 => "jobs";
    BUILTIN_FG = 51 => "fg";
    BUILTIN_BG = 52 => "bg";
    BUILTIN_KILL = 53 => "kill";
    BUILTIN_DISOWN = 54 => "disown";
    BUILTIN_WAIT = 55 => "wait";
    BUILTIN_SUSPEND = 56 => "suspend";
    // history
    BUILTIN_HISTORY = 60 => "history";
    BUILTIN_FC = 61 => "fc";
    BUILTIN_R = 62 => "r";
    // aliases
    BUILTIN_ALIAS = 70 => "alias";
    BUILTIN_UNALIAS = 71 => "unalias";
    // options
    BUILTIN_SET = 80 => "set";
    BUILTIN_SETOPT = 81 => "setopt";
    BUILTIN_UNSETOPT = 82 => "unsetopt";
    BUILTIN_SHOPT = 83 => "shopt";
    BUILTIN_EMULATE = 84 => "emulate";
    BUILTIN_GETOPTS = 85 => "getopts";
    // functions
    BUILTIN_AUTOLOAD = 90 => "autoload";
    BUILTIN_FUNCTIONS = 91 => "functions";
    BUILTIN_UNFUNCTION = 92 => "unfunction";
    // traps
    BUILTIN_TRAP = 100 => "trap";
    // directory stack
    BUILTIN_PUSHD = 110 => "pushd";
    BUILTIN_POPD = 111 => "popd";
    BUILTIN_DIRS = 112 => "dirs";
    // command lookup
    BUILTIN_TYPE = 120 => "type";
    BUILTIN_WHENCE = 121 => "whence";
    BUILTIN_WHERE = 122 => "where";
    BUILTIN_WHICH = 123 => "which";
    BUILTIN_HASH = 124 => "hash";
    BUILTIN_REHASH = 125 => "rehash";
    BUILTIN_UNHASH = 126 => "unhash";
    // completion
    BUILTIN_COMPGEN = 130 => "compgen";
    BUILTIN_COMPLETE = 131 => "complete";
    BUILTIN_COMPOPT = 132 => "compopt";
    BUILTIN_COMPADD = 133 => "compadd";
    BUILTIN_COMPSET = 134 => "compset";
    BUILTIN_COMPDEF = 135 => "compdef";
    BUILTIN_COMPINIT = 136 => "compinit";
    BUILTIN_CDREPLAY = 137 => "cdreplay";
    // zsh
    BUILTIN_ZSTYLE = 140 => "zstyle";
    BUILTIN_ZMODLOAD = 141 => "zmodload";
    BUILTIN_BINDKEY = 142 => "bindkey", "bind";
    BUILTIN_ZLE = 143 => "zle";
    BUILTIN_VARED = 144 => "vared";
    BUILTIN_ZCOMPILE = 145 => "zcompile";
    BUILTIN_ZFORMAT = 146 => "zformat";
    BUILTIN_ZPARSEOPTS = 147 => "zparseopts";
    BUILTIN_ZREGEXPARSE = 148 => "zregexparse";
    // resource limits
    BUILTIN_ULIMIT = 150 => "ulimit";
    BUILTIN_LIMIT = 151 => "limit";
    BUILTIN_UNLIMIT = 152 => "unlimit";
    BUILTIN_UMASK = 153 => "umask";
    // misc
    BUILTIN_TIMES = 160 => "times";
    BUILTIN_CALLER = 161 => "caller";
    BUILTIN_HELP = 162 => "help";
    BUILTIN_ENABLE = 163 => "enable";
    BUILTIN_DISABLE = 164 => "disable";
    BUILTIN_NOGLOB = 165 => "noglob";
    BUILTIN_TTYCTL = 166 => "ttyctl";
    BUILTIN_SYNC = 167 => "sync";
    BUILTIN_MKDIR = 168 => "mkdir";
    BUILTIN_STRFTIME = 169 => "strftime";
    BUILTIN_ZSLEEP = 170 => "zsleep";
    BUILTIN_ZSYSTEM = 171 => "zsystem";
    // pcre
    BUILTIN_PCRE_COMPILE = 180 => "pcre_compile";
    BUILTIN_PCRE_MATCH = 181 => "pcre_match";
    BUILTIN_PCRE_STUDY = 182 => "pcre_study";
    // gdbm
    BUILTIN_ZTIE = 190 => "ztie";
    BUILTIN_ZUNTIE = 191 => "zuntie";
    BUILTIN_ZGDBMPATH = 192 => "zgdbmpath";
    // prompt
    BUILTIN_PROMPTINIT = 200 => "promptinit";
    BUILTIN_PROMPT = 201 => "prompt";
    // async
    BUILTIN_ASYNC = 210 => "async";
    BUILTIN_AWAIT = 211 => "await";
    BUILTIN_PMAP = 212 => "pmap";
    BUILTIN_PGREP = 213 => "pgrep";
    BUILTIN_PEACH = 214 => "peach";
    BUILTIN_BARRIER = 215 => "barrier";
    // AOP
    BUILTIN_INTERCEPT = 220 => "intercept";
    BUILTIN_INTERCEPT_PROCEED = 221 => "intercept_proceed";
    // debugging / profiling
    BUILTIN_DOCTOR = 230 => "doctor";
    BUILTIN_DBVIEW = 231 => "dbview";
    BUILTIN_PROFILE = 232 => "profile";
    BUILTIN_ZPROF = 233 => "zprof";
    // coreutils
    BUILTIN_CAT = 240 => "cat";
    BUILTIN_HEAD = 241 => "head";
    BUILTIN_TAIL = 242 => "tail";
    BUILTIN_WC = 243 => "wc";
    BUILTIN_BASENAME = 244 => "basename";
    BUILTIN_DIRNAME = 245 => "dirname";
    BUILTIN_TOUCH = 246 => "touch";
    BUILTIN_REALPATH = 247 => "realpath";
    BUILTIN_SORT = 248 => "sort";
    BUILTIN_FIND = 249 => "find";
    BUILTIN_UNIQ = 250 => "uniq";
    BUILTIN_CUT = 251 => "cut";
    BUILTIN_TR = 252 => "tr";
    BUILTIN_SEQ = 253 => "seq";
    BUILTIN_REV = 254 => "rev";
    BUILTIN_TEE = 255 => "tee";
    BUILTIN_SLEEP = 256 => "sleep";
    BUILTIN_WHOAMI = 257 => "whoami";
    BUILTIN_ID = 258 => "id";
    BUILTIN_HOSTNAME = 259 => "hostname";
    BUILTIN_UNAME = 260 => "uname";
    BUILTIN_DATE = 261 => "date";
    BUILTIN_MKTEMP = 262 => "mktemp";
}

/// Upper bound of the builtin ID space: every `BUILTIN_*` ID is below it, so a frontend can
/// size a handler table with it.
pub const BUILTIN_MAX: u16 = 280;

/// The builtin ID for a command name: exact, case-sensitive match of the lower-case name
/// (`"cd"`, `"pcre_match"`, `":"`), plus upstream's aliases (`chdir`, `.`, `bye`, `logout`,
/// `[`, `declare`, `readarray`, `bind`). `None` for anything else.
#[inline]
pub fn builtin_id(name: &str) -> Option<u16> {
    // A linear scan of ~160 short strings: slice equality compares lengths first, so
    // almost every entry is rejected without touching its bytes. Frontends call this
    // while compiling, not per executed op.
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, id)| id)
}

/// Whether `name` is a known builtin (`builtin_id(name).is_some()`).
#[inline]
pub fn is_builtin(name: &str) -> bool {
    builtin_id(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// api.md § 8, written out independently of the table above: `NAME id` pairs.
    const SPEC: &str = "CD 0 PWD 1 ECHO 2 PRINT 3 PRINTF 4 EXPORT 5 UNSET 6 SOURCE 7 EXIT 8 \
        RETURN 9 TRUE 10 FALSE 11 TEST 12 COLON 13 DOT 14 LOCAL 20 DECLARE 21 TYPESET 22 \
        READONLY 23 INTEGER 24 FLOAT 25 READ 30 MAPFILE 31 BREAK 40 CONTINUE 41 SHIFT 42 \
        EVAL 43 EXEC 44 COMMAND 45 BUILTIN 46 LET 47 JOBS 50 FG 51 BG 52 KILL 53 DISOWN 54 \
        WAIT 55 SUSPEND 56 HISTORY 60 FC 61 R 62 ALIAS 70 UNALIAS 71 SET 80 SETOPT 81 \
        UNSETOPT 82 SHOPT 83 EMULATE 84 GETOPTS 85 AUTOLOAD 90 FUNCTIONS 91 UNFUNCTION 92 \
        TRAP 100 PUSHD 110 POPD 111 DIRS 112 TYPE 120 WHENCE 121 WHERE 122 WHICH 123 \
        HASH 124 REHASH 125 UNHASH 126 COMPGEN 130 COMPLETE 131 COMPOPT 132 COMPADD 133 \
        COMPSET 134 COMPDEF 135 COMPINIT 136 CDREPLAY 137 ZSTYLE 140 ZMODLOAD 141 \
        BINDKEY 142 ZLE 143 VARED 144 ZCOMPILE 145 ZFORMAT 146 ZPARSEOPTS 147 \
        ZREGEXPARSE 148 ULIMIT 150 LIMIT 151 UNLIMIT 152 UMASK 153 TIMES 160 CALLER 161 \
        HELP 162 ENABLE 163 DISABLE 164 NOGLOB 165 TTYCTL 166 SYNC 167 MKDIR 168 \
        STRFTIME 169 ZSLEEP 170 ZSYSTEM 171 PCRE_COMPILE 180 PCRE_MATCH 181 PCRE_STUDY 182 \
        ZTIE 190 ZUNTIE 191 ZGDBMPATH 192 PROMPTINIT 200 PROMPT 201 ASYNC 210 AWAIT 211 \
        PMAP 212 PGREP 213 PEACH 214 BARRIER 215 INTERCEPT 220 INTERCEPT_PROCEED 221 \
        DOCTOR 230 DBVIEW 231 PROFILE 232 ZPROF 233 CAT 240 HEAD 241 TAIL 242 WC 243 \
        BASENAME 244 DIRNAME 245 TOUCH 246 REALPATH 247 SORT 248 FIND 249 UNIQ 250 CUT 251 \
        TR 252 SEQ 253 REV 254 TEE 255 SLEEP 256 WHOAMI 257 ID 258 HOSTNAME 259 UNAME 260 \
        DATE 261 MKTEMP 262";

    fn spec() -> Vec<(String, u16)> {
        let words: Vec<&str> = SPEC.split_whitespace().collect();
        words
            .chunks(2)
            .map(|p| (format!("BUILTIN_{}", p[0]), p[1].parse().unwrap()))
            .collect()
    }

    #[test]
    fn constants_match_the_spec_exactly() {
        let spec = spec();
        assert_eq!(spec.len(), 139);
        assert_eq!(CONSTANTS.len(), spec.len());
        for (name, id) in &spec {
            let found = CONSTANTS.iter().find(|(n, _)| n == name);
            assert_eq!(found.map(|&(_, v)| v), Some(*id), "{name}");
        }
        assert_eq!(BUILTIN_CD, 0);
        assert_eq!(BUILTIN_TYPESET, 22);
        assert_eq!(BUILTIN_INTERCEPT_PROCEED, 221);
        assert_eq!(BUILTIN_MKTEMP, 262);
        assert_eq!(BUILTIN_MAX, 280);
    }

    #[test]
    fn every_constant_is_reachable_by_its_lower_case_name() {
        for (name, id) in spec() {
            let lower = name.trim_start_matches("BUILTIN_").to_lowercase();
            match name.as_str() {
                "BUILTIN_DECLARE" => assert_eq!(builtin_id(&lower), Some(22)),
                "BUILTIN_DOT" => assert_eq!(builtin_id("."), Some(7)),
                "BUILTIN_COLON" => assert_eq!(builtin_id(":"), Some(13)),
                _ => assert_eq!(builtin_id(&lower), Some(id), "{lower}"),
            }
        }
    }

    #[test]
    fn declare_and_dot_are_never_returned() {
        assert!(NAMES
            .iter()
            .all(|&(_, id)| id != BUILTIN_DECLARE && id != BUILTIN_DOT));
        assert_eq!(builtin_id("dot"), None);
        assert_eq!(builtin_id("colon"), None);
    }

    #[test]
    fn aliases() {
        let cases = [
            ("cd", 0),
            ("chdir", 0),
            ("source", 7),
            (".", 7),
            ("exit", 8),
            ("bye", 8),
            ("logout", 8),
            ("test", 12),
            ("[", 12),
            (":", 13),
            ("declare", 22),
            ("typeset", 22),
            ("mapfile", 31),
            ("readarray", 31),
            ("bindkey", 142),
            ("bind", 142),
        ];
        for (name, id) in cases {
            assert_eq!(builtin_id(name), Some(id), "{name}");
            assert!(is_builtin(name));
        }
    }

    #[test]
    fn negatives() {
        for name in [
            "",
            "CD",
            " cd",
            "cd ",
            "ls",
            "grep",
            "Echo",
            "[[",
            "builtin_cd",
            "declare ",
        ] {
            assert_eq!(builtin_id(name), None, "{name:?}");
            assert!(!is_builtin(name));
        }
    }

    #[test]
    fn ids_are_below_max_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for &(name, id) in CONSTANTS {
            assert!(id < BUILTIN_MAX, "{name}");
            assert!(seen.insert(id), "duplicate id {id} ({name})");
        }
        let mut names = std::collections::HashSet::new();
        for &(name, _) in NAMES {
            assert!(names.insert(name), "duplicate name {name}");
        }
    }
}
