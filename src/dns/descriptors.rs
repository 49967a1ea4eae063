//! Room for the sockets of the queries in flight: each holds a file descriptor, and many
//! systems start a process with a soft limit of 1,024 open files while the hard limit, which
//! the process may raise it to, is far higher. Not pure: the process's limits.

/// Descriptors a run keeps for everything but its query sockets: the terminal, the plan, the
/// reports being read, the runtime's own.
const FOR_THE_REST: u64 = 128;
/// Sockets a query in flight may hold at most: its own, and an idle one kept for reuse by a
/// pool other than the one it asks through (another server, another lookup thread).
const SOCKETS_PER_QUERY: u64 = 2;

/// Queries that may be in flight at once, at most `wanted`: the soft limit on open files is
/// raised (as far as the hard limit allows) until `wanted` queries' sockets fit, and `wanted`
/// is lowered to what fits when they cannot. Without it the queries past the limit would fail
/// to open a socket, and their domains would end unknown.
pub fn inflight_that_fits(wanted: usize) -> usize {
    #[cfg(unix)]
    {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let now = getrlimit(Resource::Nofile);
        let soft = soft_limit_for(wanted, now.maximum);
        if now.current.is_some_and(|current| soft > current) {
            // When refused (a sandbox), the limit stays as it was and the queries are fitted to it.
            let raised = Rlimit { current: Some(soft), maximum: now.maximum };
            let _ = setrlimit(Resource::Nofile, raised);
        }
        fitting_under(wanted, getrlimit(Resource::Nofile).current)
    }
    #[cfg(not(unix))]
    wanted
}

/// The soft limit `wanted` queries need, capped by `hard` (`None`: unlimited).
fn soft_limit_for(wanted: usize, hard: Option<u64>) -> u64 {
    let wanted = u64::try_from(wanted).unwrap_or(u64::MAX);
    let needed = wanted.saturating_mul(SOCKETS_PER_QUERY).saturating_add(FOR_THE_REST);
    hard.map_or(needed, |hard| needed.min(hard))
}

/// Queries, at most `wanted` and at least one, whose sockets fit under a soft limit of
/// `soft` (`None`: unlimited).
fn fitting_under(wanted: usize, soft: Option<u64>) -> usize {
    let Some(soft) = soft else { return wanted };
    let room = soft.saturating_sub(FOR_THE_REST) / SOCKETS_PER_QUERY;
    usize::try_from(room).unwrap_or(usize::MAX).clamp(1, wanted.max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_soft_limit_asked_for_holds_two_sockets_a_query_and_the_rest_within_the_hard_limit() {
        assert_eq!(soft_limit_for(2048, Some(524_288)), 4224);
        assert_eq!(soft_limit_for(2048, None), 4224);
        assert_eq!(soft_limit_for(2048, Some(4096)), 4096);
    }

    #[test]
    fn queries_are_fitted_to_a_limit_that_could_not_be_raised() {
        assert_eq!(fitting_under(2048, Some(4224)), 2048);
        assert_eq!(fitting_under(2048, Some(1024)), 448);
        assert_eq!(fitting_under(2048, Some(64)), 1);
        assert_eq!(fitting_under(2048, None), 2048);
        assert_eq!(fitting_under(16, Some(1024)), 16);
    }

    #[cfg(unix)]
    #[test]
    fn the_soft_limit_is_raised_as_far_as_the_default_needs_and_the_hard_limit_allows() {
        use rustix::process::{Resource, Rlimit, getrlimit, setrlimit};
        let wanted = crate::dns::DEFAULT_MAX_INFLIGHT;
        // A desktop's soft limit, which lowering is always allowed.
        let start = getrlimit(Resource::Nofile);
        let desktop = start.maximum.map_or(1024, |hard| hard.min(1024));
        setrlimit(Resource::Nofile, Rlimit { current: Some(desktop), ..start }).expect("lowered");
        let fits = inflight_that_fits(wanted);
        let now = getrlimit(Resource::Nofile);
        let needed = soft_limit_for(wanted, now.maximum);
        assert!(now.current.is_none_or(|soft| soft >= needed), "{now:?}, {needed}");
        assert_eq!(fits, fitting_under(wanted, now.current));
    }
}
