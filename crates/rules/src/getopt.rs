//! An emulation of glibc's `getopt_long` (argument permutation, clustered
//! short options, attached arguments, `--name=value`, unique prefixes of
//! long options), as auditctl 3.0.9 calls it with `opterr = 0` and the
//! option string below. auditctl inspects `optind` and the (permuted)
//! argument vector itself, so the emulation exposes both.

/// auditctl 3.0.9's short option string.
pub(crate) const OPTSTRING: &[u8] = b"hicslDvtC:e:f:r:b:a:A:d:S:F:m:R:w:W:k:p:q:";

/// auditctl 3.0.9's long options: (name, takes an argument, value).
pub(crate) const LONG_OPTS: &[(&str, bool, i32)] = &[
    ("loginuid-immutable", false, 1),
    ("backlog_wait_time", true, 2),
    ("reset-lost", false, 3),
    ("reset_backlog_wait_time_actual", false, 4),
    ("signal", true, 5),
];

/// One result of [`GetOpt::next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Opt {
    /// A short option character from [`OPTSTRING`].
    Short(u8),
    /// A long option's value from [`LONG_OPTS`].
    Long(i32),
    /// An unknown option, an ambiguous long option, or a missing argument.
    Invalid,
}

/// The state of one `getopt_long` scan (auditctl resets `optind = 0`).
pub(crate) struct GetOpt {
    /// The argument vector; element 0 is the program name. Permuted as
    /// glibc does while scanning.
    pub args: Vec<Vec<u8>>,
    /// glibc's `optind`.
    pub optind: usize,
    /// glibc's `optarg` after the last call.
    pub optarg: Option<Vec<u8>>,
    nextchar: Option<(Vec<u8>, usize)>,
    first_nonopt: usize,
    last_nonopt: usize,
}

impl GetOpt {
    pub(crate) fn new(args: Vec<Vec<u8>>) -> Self {
        GetOpt {
            args,
            optind: 1,
            optarg: None,
            nextchar: None,
            first_nonopt: 1,
            last_nonopt: 1,
        }
    }

    fn nonoption(&self, i: usize) -> bool {
        let a = &self.args[i];
        a.first() != Some(&b'-') || a.len() == 1
    }

    fn exchange(&mut self) {
        let bottom = self.first_nonopt;
        let middle = self.last_nonopt;
        let top = self.optind;
        self.args[bottom..top].rotate_left(middle - bottom);
        self.first_nonopt += self.optind - self.last_nonopt;
        self.last_nonopt = self.optind;
    }

    /// The next option, or `None` at the end (`-1`). `argc` is the count
    /// auditctl passes (it may shrink it between calls).
    pub(crate) fn next(&mut self, argc: usize) -> Option<Opt> {
        let argc = argc.min(self.args.len());
        self.optarg = None;
        let at_end = match &self.nextchar {
            None => true,
            Some((s, p)) => *p >= s.len(),
        };
        if at_end {
            if self.last_nonopt > self.optind {
                self.last_nonopt = self.optind;
            }
            if self.first_nonopt > self.optind {
                self.first_nonopt = self.optind;
            }
            if self.first_nonopt != self.last_nonopt && self.last_nonopt != self.optind {
                self.exchange();
            } else if self.last_nonopt != self.optind {
                self.first_nonopt = self.optind;
            }
            while self.optind < argc && self.nonoption(self.optind) {
                self.optind += 1;
            }
            self.last_nonopt = self.optind;
            if self.optind != argc && self.args[self.optind] == b"--" {
                self.optind += 1;
                if self.first_nonopt != self.last_nonopt && self.last_nonopt != self.optind {
                    self.exchange();
                } else if self.first_nonopt == self.last_nonopt {
                    self.first_nonopt = self.optind;
                }
                self.last_nonopt = argc;
                self.optind = argc;
            }
            if self.optind >= argc {
                if self.first_nonopt != self.last_nonopt {
                    self.optind = self.first_nonopt;
                }
                return None;
            }
            // No NONOPTION_P case: permutation skipped them all.
            let arg = self.args[self.optind].clone();
            if arg.get(1) == Some(&b'-') {
                return Some(self.long_option(argc, arg[2..].to_vec()));
            }
            self.nextchar = Some((arg, 1));
        }
        let (s, p) = self.nextchar.take().unwrap_or_default();
        let c = s.get(p).copied().unwrap_or(0);
        let rest = s[(p + 1).min(s.len())..].to_vec();
        if rest.is_empty() {
            self.optind += 1;
        }
        let pos = OPTSTRING
            .iter()
            .position(|&o| o == c && c != b':' && c != b';');
        let Some(pos) = pos else {
            self.nextchar = Some((s, p + 1));
            return Some(Opt::Invalid);
        };
        if OPTSTRING.get(pos + 1) == Some(&b':') {
            if !rest.is_empty() {
                self.optarg = Some(rest);
                self.optind += 1;
            } else if self.optind >= argc {
                return Some(Opt::Invalid);
            } else {
                self.optarg = Some(self.args[self.optind].clone());
                self.optind += 1;
            }
            self.nextchar = None;
        } else {
            self.nextchar = Some((s, p + 1));
        }
        Some(Opt::Short(c))
    }

    fn long_option(&mut self, argc: usize, body: Vec<u8>) -> Opt {
        let nameend = body.iter().position(|&b| b == b'=').unwrap_or(body.len());
        let name = &body[..nameend];
        let exact = LONG_OPTS.iter().find(|(n, _, _)| n.as_bytes() == name);
        let found = match exact {
            Some(o) => Some(o),
            None => {
                let mut cands = LONG_OPTS
                    .iter()
                    .filter(|(n, _, _)| n.as_bytes().starts_with(name));
                let first = cands.next();
                if first.is_some() && cands.next().is_some() {
                    // Ambiguous (all our options differ in their values).
                    self.optind += 1;
                    self.nextchar = None;
                    return Opt::Invalid;
                }
                first
            }
        };
        self.optind += 1;
        self.nextchar = None;
        let Some(&(_, has_arg, val)) = found else {
            return Opt::Invalid;
        };
        if nameend < body.len() {
            if has_arg {
                self.optarg = Some(body[nameend + 1..].to_vec());
            } else {
                return Opt::Invalid;
            }
        } else if has_arg {
            if self.optind < argc {
                self.optarg = Some(self.args[self.optind].clone());
                self.optind += 1;
            } else {
                return Opt::Invalid;
            }
        }
        Opt::Long(val)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<Vec<u8>> {
        std::iter::once("auditctl")
            .chain(s.iter().copied())
            .map(|a| a.as_bytes().to_vec())
            .collect()
    }

    type Scan = (Vec<(Opt, Option<String>)>, usize, Vec<Vec<u8>>);

    fn all(s: &[&str]) -> Scan {
        let a = args(s);
        let n = a.len();
        let mut g = GetOpt::new(a);
        let mut out = Vec::new();
        while let Some(o) = g.next(n) {
            out.push((
                o,
                g.optarg
                    .as_ref()
                    .map(|v| String::from_utf8_lossy(v).into_owned()),
            ));
        }
        (out, g.optind, g.args)
    }

    #[test]
    fn short_clusters_and_arguments() {
        let (o, ind, _) = all(&["-il", "-Fuid=0", "-k", "-x"]);
        assert_eq!(o[0], (Opt::Short(b'i'), None));
        assert_eq!(o[1], (Opt::Short(b'l'), None));
        assert_eq!(o[2], (Opt::Short(b'F'), Some("uid=0".into())));
        assert_eq!(o[3], (Opt::Short(b'k'), Some("-x".into())));
        assert_eq!(ind, 5);
    }

    #[test]
    fn permutation_moves_operands_to_the_end() {
        let (o, ind, a) = all(&["-w", "/etc", "extra", "-k", "k"]);
        assert_eq!(o.len(), 2);
        assert_eq!(ind, 5);
        assert_eq!(a[5], b"extra");
    }

    #[test]
    fn long_options() {
        let (o, _, _) = all(&[
            "--backlog_wait_time=5",
            "--sig",
            "HUP",
            "--reset",
            "--loginuid-immutable=1",
        ]);
        assert_eq!(o[0], (Opt::Long(2), Some("5".into())));
        assert_eq!(o[1], (Opt::Long(5), Some("HUP".into())));
        assert_eq!(o[2].0, Opt::Invalid);
        assert_eq!(o[3].0, Opt::Invalid);
    }

    #[test]
    fn missing_argument_and_unknown() {
        let (o, ind, _) = all(&["-w"]);
        assert_eq!(o, vec![(Opt::Invalid, None)]);
        assert_eq!(ind, 2);
        let (o, _, _) = all(&["-z"]);
        assert_eq!(o, vec![(Opt::Invalid, None)]);
    }

    #[test]
    fn only_operands() {
        let (o, ind, _) = all(&["foo"]);
        assert!(o.is_empty());
        assert_eq!(ind, 1);
    }
}
