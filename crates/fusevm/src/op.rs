//! `fusevm::op`: the `Op` enum (declared in [`crate::isa`]) and upstream's operand
//! constant modules: the `u8` codes carried by `TestFile`, `Redirect` and `ExpandParam`.
//!
//! The VM passes `redirect_op` and `param_mod` codes to the shell host uninterpreted;
//! `file_test` codes select the test a host's `test_file` performs.
pub use crate::isa::Op;

/// File-test codes for `Op::TestFile(code)` (shell `[ -f ]`, `[ -d ]`, ...).
pub mod file_test {
    /// `-f`: a regular file (follows symlinks).
    pub const IS_FILE: u8 = 0;
    /// `-d`: a directory (follows symlinks).
    pub const IS_DIR: u8 = 1;
    /// `-r`: readable (upstream only checks existence).
    pub const IS_READABLE: u8 = 2;
    /// `-w`: writable (upstream only checks existence).
    pub const IS_WRITABLE: u8 = 3;
    /// `-x`: executable (any execute permission bit).
    pub const IS_EXECUTABLE: u8 = 4;
    /// `-e`: exists.
    pub const EXISTS: u8 = 5;
    /// `-s`: exists with a size greater than zero.
    pub const IS_NONEMPTY: u8 = 6;
    /// `-L` / `-h`: a symbolic link (not followed).
    pub const IS_SYMLINK: u8 = 7;
    /// `-S`: a socket.
    pub const IS_SOCKET: u8 = 8;
    /// `-p`: a named pipe (FIFO).
    pub const IS_FIFO: u8 = 9;
    /// `-b`: a block device.
    pub const IS_BLOCK_DEV: u8 = 10;
    /// `-c`: a character device.
    pub const IS_CHAR_DEV: u8 = 11;
}

/// Redirection codes for `Op::Redirect(fd, code)`.
pub mod redirect_op {
    /// `>`: write, truncating.
    pub const WRITE: u8 = 0;
    /// `>>`: append.
    pub const APPEND: u8 = 1;
    /// `<`: read.
    pub const READ: u8 = 2;
    /// `<>`: read and write.
    pub const READ_WRITE: u8 = 3;
    /// `>|`: write, overriding `noclobber`.
    pub const CLOBBER: u8 = 4;
    /// `<&`: duplicate an input descriptor.
    pub const DUP_READ: u8 = 5;
    /// `>&`: duplicate an output descriptor.
    pub const DUP_WRITE: u8 = 6;
    /// `&>`: stdout and stderr to one file.
    pub const WRITE_BOTH: u8 = 7;
    /// `&>>`: append stdout and stderr to one file.
    pub const APPEND_BOTH: u8 = 8;
}

/// Parameter-expansion modifiers for `Op::ExpandParam(code)`; the comment gives the shell
/// form and how many operand values the VM pops for it.
pub mod param_mod {
    /// `${v:-w}` (1 arg).
    pub const DEFAULT: u8 = 0;
    /// `${v:=w}` (1 arg).
    pub const ASSIGN: u8 = 1;
    /// `${v:?w}` (1 arg).
    pub const ERROR: u8 = 2;
    /// `${v:+w}` (1 arg).
    pub const ALTERNATE: u8 = 3;
    /// `${#v}` (0 args).
    pub const LENGTH: u8 = 4;
    /// `${v#p}` (1 arg).
    pub const STRIP_SHORT: u8 = 5;
    /// `${v##p}` (1 arg).
    pub const STRIP_LONG: u8 = 6;
    /// `${v%p}` (1 arg).
    pub const RSTRIP_SHORT: u8 = 7;
    /// `${v%%p}` (1 arg).
    pub const RSTRIP_LONG: u8 = 8;
    /// `${v/p/r}` (2 args).
    pub const SUBST_FIRST: u8 = 9;
    /// `${v//p/r}` (2 args).
    pub const SUBST_ALL: u8 = 10;
    /// `${v^^}` (0 args).
    pub const UPPER: u8 = 11;
    /// `${v,,}` (0 args).
    pub const LOWER: u8 = 12;
    /// `${v^}` (0 args).
    pub const UPPER_FIRST: u8 = 13;
    /// `${v,}` (0 args).
    pub const LOWER_FIRST: u8 = 14;
    /// `${!v}` (0 args).
    pub const INDIRECT: u8 = 15;
    /// `${!v[@]}` (0 args).
    pub const KEYS: u8 = 16;
    /// `${v:off:len}` (2 args).
    pub const SLICE: u8 = 17;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_values_follow_the_spec() {
        let file = [
            file_test::IS_FILE,
            file_test::IS_DIR,
            file_test::IS_READABLE,
            file_test::IS_WRITABLE,
            file_test::IS_EXECUTABLE,
            file_test::EXISTS,
            file_test::IS_NONEMPTY,
            file_test::IS_SYMLINK,
            file_test::IS_SOCKET,
            file_test::IS_FIFO,
            file_test::IS_BLOCK_DEV,
            file_test::IS_CHAR_DEV,
        ];
        assert_eq!(file, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        let redirect = [
            redirect_op::WRITE,
            redirect_op::APPEND,
            redirect_op::READ,
            redirect_op::READ_WRITE,
            redirect_op::CLOBBER,
            redirect_op::DUP_READ,
            redirect_op::DUP_WRITE,
            redirect_op::WRITE_BOTH,
            redirect_op::APPEND_BOTH,
        ];
        assert_eq!(redirect, [0, 1, 2, 3, 4, 5, 6, 7, 8]);
        let param = [
            param_mod::DEFAULT,
            param_mod::ASSIGN,
            param_mod::ERROR,
            param_mod::ALTERNATE,
            param_mod::LENGTH,
            param_mod::STRIP_SHORT,
            param_mod::STRIP_LONG,
            param_mod::RSTRIP_SHORT,
            param_mod::RSTRIP_LONG,
            param_mod::SUBST_FIRST,
            param_mod::SUBST_ALL,
            param_mod::UPPER,
            param_mod::LOWER,
            param_mod::UPPER_FIRST,
            param_mod::LOWER_FIRST,
            param_mod::INDIRECT,
            param_mod::KEYS,
            param_mod::SLICE,
        ];
        assert_eq!(
            param,
            [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
        );
    }
}
