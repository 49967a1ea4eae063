//! Report readiness: every `rua`/`ruf` address the plan uses at another organizational domain
//! is authorized by that domain (RFC 7489 §7.1, RFC 9990), and every report mailbox's domain
//! can receive mail. Aggregate reports are how enforcement is judged, so losing them blocks it.
//! Pure.

use serde::Serialize;

use crate::answers::{DmarcAt, DomainDns, LookupState, MailDomain, Rdata};
use crate::name::DnsName;
use crate::plan::Domain;
use crate::record::{Finding, Severity, parse};

/// The report part of readiness.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReportsReadiness {
    pub ok: bool,
    pub destinations: Vec<ReportDestination>,
    pub findings: Vec<Finding>,
}

/// One report address the plan uses, in any phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportDestination {
    /// `rua` or `ruf`.
    pub tag: &'static str,
    pub uri: String,
    /// The mailbox's domain, lower-case.
    pub host: String,
    /// At another organizational domain, so it needs an authorization record.
    pub external: bool,
}

/// Every distinct `mailto:` report address of every phase, `rua` first.
pub fn report_destinations(domain: &Domain) -> Vec<ReportDestination> {
    let rua = domain.phases.iter().flat_map(|p| &p.record.rua);
    let ruf = domain.phases.iter().flat_map(|p| &p.record.ruf);
    destinations(&domain.name, rua, ruf)
}

/// The report addresses of the record live at `_dmarc.<domain>` (its own, when it has exactly
/// one that parses): reports sent there today, whatever the plan says.
pub fn live_destinations(dns: &DomainDns) -> Vec<ReportDestination> {
    live_destinations_at(&dns.domain, &dns.dmarc)
}

/// [`live_destinations`] from the `_dmarc` answer alone, before the rest of the domain's
/// answers are in.
pub fn live_destinations_at(domain: &str, dmarc: &DmarcAt) -> Vec<ReportDestination> {
    let Some(record) = dmarc.single().and_then(|text| parse(text).record) else {
        return Vec::new();
    };
    destinations(domain, &record.rua, &record.ruf)
}

fn destinations<'a>(
    domain: &str,
    rua: impl IntoIterator<Item = &'a String>,
    ruf: impl IntoIterator<Item = &'a String>,
) -> Vec<ReportDestination> {
    let org = |name: &str| psl::domain_str(name).unwrap_or(name).to_owned();
    let own = org(domain);
    let mut out: Vec<ReportDestination> = Vec::new();
    let tagged = rua.into_iter().map(|u| ("rua", u)).chain(ruf.into_iter().map(|u| ("ruf", u)));
    for (tag, uri) in tagged {
        let Some(host) = mailto_host(uri) else { continue };
        if !out.iter().any(|d| d.tag == tag && d.uri == *uri) {
            let external = org(&host) != own;
            out.push(ReportDestination { tag, uri: uri.clone(), host, external });
        }
    }
    out
}

fn mailto_host(uri: &str) -> Option<String> {
    let address = uri.get(..7).filter(|s| s.eq_ignore_ascii_case("mailto:")).map(|_| &uri[7..])?;
    let host = address.split('!').next()?.rsplit_once('@')?.1;
    Some(DnsName::lenient(host).into())
}

pub(super) fn assess(
    domain: &Domain,
    dns: &DomainDns,
    mailboxes: &[MailDomain],
) -> ReportsReadiness {
    let destinations = report_destinations(domain);
    let mut findings = Vec::new();
    for d in destinations.iter().filter(|d| d.external) {
        findings.extend(authorization(&dns.domain, d, dns));
    }
    let mut hosts: Vec<&str> = destinations.iter().map(|d| d.host.as_str()).collect();
    hosts.sort_unstable();
    hosts.dedup();
    for host in hosts {
        if let Some(mail) = mailboxes.iter().find(|m| m.domain == host) {
            findings.extend(mailbox(mail));
        }
    }
    findings.extend(live_unauthorized(dns, &destinations));
    if destinations.iter().any(|d| d.tag == "ruf") {
        findings.push(Finding::info(
            "reports.ruf_not_honoured",
            0..0,
            "ruf: Office 365 and many other receivers send no failure reports; rely on rua",
        ));
    }
    ReportsReadiness {
        ok: super::Outcome::worst(&findings) == super::Outcome::Ready,
        destinations,
        findings,
    }
}

/// The live record's external report addresses the plan does not use, without authorization:
/// receivers drop those reports today, so the reports being read may be incomplete. A warning:
/// the next step publishes the plan's addresses, which are checked on their own.
fn live_unauthorized(dns: &DomainDns, planned: &[ReportDestination]) -> Vec<Finding> {
    live_destinations(dns)
        .into_iter()
        .filter(|d| d.external && !planned.iter().any(|p| p.host == d.host))
        .filter_map(|d| {
            let auth = dns.reports.iter().find(|r| r.host == d.host)?;
            (auth.authorized() == Some(false)).then(|| {
                Finding::warning(
                    "reports.live_unauthorized",
                    0..0,
                    format!(
                        "the live record's {} {}: {} has no TXT \"v=DMARC1\" at \
                         {}._report._dmarc.{}, so receivers send it nothing today",
                        d.tag, d.uri, d.host, dns.domain, d.host
                    ),
                )
            })
        })
        .collect()
}

fn authorization(domain: &str, d: &ReportDestination, dns: &DomainDns) -> Option<Finding> {
    let auth = dns.reports.iter().find(|r| r.host == d.host)?;
    let name = format!("{domain}._report._dmarc.{}", d.host);
    match auth.authorized() {
        Some(true) => None,
        Some(false) => {
            // Aggregate reports are the evidence for enforcing; failure reports are a bonus.
            let severity = if d.tag == "rua" { Severity::Error } else { Severity::Warning };
            Some(Finding::new(
                "reports.unauthorized",
                severity,
                0..0,
                format!(
                    "{} {}: {} is another organization and has no TXT \"v=DMARC1\" at {name} \
                     (nor *._report._dmarc.{}), so receivers send it nothing; ask its owner to \
                     publish it",
                    d.tag, d.uri, d.host, d.host
                ),
            ))
        }
        None if auth.exact.answer.state == LookupState::OutsideZone => Some(unverified(&name)),
        None => Some(Finding::error(
            "reports.lookup_failed",
            0..0,
            format!(
                "the lookup of {name} failed: whether {} may receive reports is unknown",
                d.host
            ),
        )),
    }
}

/// The mailbox's domain must accept mail: an MX that is not null (RFC 7505), or an address.
fn mailbox(mail: &MailDomain) -> Option<Finding> {
    let host = &mail.domain;
    match &mail.mx.state {
        LookupState::Found { records, .. } => {
            let null = records.iter().all(|r| {
                matches!(r, Rdata::Mx { exchange, .. } if exchange.is_empty() || exchange == ".")
            });
            null.then(|| {
                Finding::error(
                    "reports.no_mailbox",
                    0..0,
                    format!("{host} publishes a null MX: it accepts no mail, so reports bounce"),
                )
            })
        }
        s if s.is_failure() => Some(failed(host, "MX", s)),
        _ => match mail.address.as_ref().map(|a| &a.state) {
            Some(LookupState::Found { .. }) => Some(Finding::info(
                "reports.implicit_mx",
                0..0,
                format!("{host} has no MX; mail goes to its address record (RFC 5321 §5.1)"),
            )),
            Some(s) if s.is_failure() => Some(failed(host, "A", s)),
            _ => Some(Finding::error(
                "reports.no_mailbox",
                0..0,
                format!("{host} has no MX and no address: reports to it cannot be delivered"),
            )),
        },
    }
}

/// A name the offline view (a zone file) does not cover: not checked, not failed.
fn unverified(name: &str) -> Finding {
    Finding::warning(
        "reports.unverified",
        0..0,
        format!(
            "{name} is outside the zone file, so it was not checked; check it against live DNS"
        ),
    )
}

fn failed(host: &str, kind: &str, state: &LookupState) -> Finding {
    if *state == LookupState::OutsideZone {
        return unverified(host);
    }
    Finding::error(
        "reports.lookup_failed",
        0..0,
        format!(
            "the {kind} lookup of {host} ended with {}: whether it receives mail is unknown",
            state.label()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answers::{Answer, RecordKind};
    use crate::plan::load;

    fn answer(kind: RecordKind, state: LookupState) -> Answer {
        Answer::now("r.test", kind, state, "test".into())
    }

    fn mx(exchanges: &[&str]) -> LookupState {
        let records = exchanges
            .iter()
            .map(|e| Rdata::Mx { preference: 10, exchange: (*e).to_owned() })
            .collect();
        LookupState::Found { records, ttl: 60 }
    }

    /// The finding expected: id and severity.
    type Want = (&'static str, Severity);

    #[test]
    fn a_mailbox_domain_must_accept_mail() {
        let a = || LookupState::Found { records: vec![Rdata::A([192, 0, 2, 1].into())], ttl: 60 };
        #[rustfmt::skip]
        let cases: Vec<(LookupState, Option<LookupState>, Option<Want>)> = vec![
            (mx(&["mx.r.test"]), None, None),
            (mx(&[""]), None, Some(("reports.no_mailbox", Severity::Error))),
            (LookupState::NoData, Some(a()), Some(("reports.implicit_mx", Severity::Info))),
            (LookupState::NxDomain, Some(LookupState::NxDomain), Some(("reports.no_mailbox", Severity::Error))),
            (LookupState::Timeout, None, Some(("reports.lookup_failed", Severity::Error))),
            (LookupState::NoData, Some(LookupState::Timeout), Some(("reports.lookup_failed", Severity::Error))),
        ];
        for (mx_state, address, want) in cases {
            let mail = MailDomain {
                domain: "r.test".into(),
                mx: answer(RecordKind::Mx, mx_state.clone()),
                address: address.map(|s| answer(RecordKind::A, s)),
            };
            let got = mailbox(&mail).map(|f| (f.id, f.severity));
            assert_eq!(got, want, "{mx_state:?}");
        }
    }

    #[test]
    fn report_destinations_are_distinct_and_know_which_are_external() {
        let plan = load(
            "t.toml",
            "[[phase]]\nname = \"a\"\np = \"none\"\nrua = [\"mailto:d@Example.com\", \"mailto:x@vendor.net!10m\"]\n\
             ruf = [\"mailto:f@sub.example.com\"]\n\
             [[phase]]\nname = \"b\"\np = \"reject\"\nrua = [\"mailto:d@Example.com\"]\n\
             [[domain]]\nname = \"example.com\"\n",
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let got: Vec<(&str, String, bool)> = report_destinations(&plan.domains[0])
            .into_iter()
            .map(|d| (d.tag, d.host, d.external))
            .collect();
        assert_eq!(
            got,
            [
                ("rua", "example.com".to_owned(), false),
                ("rua", "vendor.net".to_owned(), true),
                ("ruf", "sub.example.com".to_owned(), false),
            ]
        );
    }
}
