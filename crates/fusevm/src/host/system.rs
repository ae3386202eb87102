//! placeholder: filled by the host helper
pub struct SystemHost; impl super::ShellHost for SystemHost {}
