"""Firewall lines (iptables/nftables kernel LOG, bare or in syslog, and key=value) become
events with the destination in ``extra`` for the unexpected-source rules."""

import pytest

from tinhso.soc.parsing import LineParser, parse_firewall, parse_syslog

KERNEL = (
    "IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=203.0.113.9 DST=10.0.0.5 "
    "LEN=60 TOS=0x00 PREC=0x00 TTL=52 ID=54321 DF PROTO=TCP SPT=5555 DPT=22 WINDOW=29200 "
    "RES=0x00 SYN URGP=0"
)


def _fw(ev):
    x = ev.extra
    return ev.source_ip, x["dst_ip"], x["dst_port"], x["src_port"], x["proto"], x["action"]


def test_ufw_block_inside_syslog_3164():
    ev = parse_syslog(
        f"<4>Nov 22 10:00:01 gw01 kernel: [12345.678] [UFW BLOCK] {KERNEL}", year=2026
    )
    assert _fw(ev) == ("203.0.113.9", "10.0.0.5", 22, 5555, "tcp", "drop")
    assert ev.extra["firewall"] is True and ev.extra["in_if"] == "eth0" and ev.host == "gw01"
    assert ev.outcome == "" and ev.source == "syslog"


def test_nftables_prefix_in_5424_and_ipv6():
    ev = parse_syslog(
        "<4>1 2026-11-22T10:00:01+07:00 gw01 kernel - - - nft-reject-in: IN=eth1 OUT= "
        "SRC=2001:db8::9 DST=2001:db8::1 LEN=80 PROTO=UDP SPT=53000 DPT=161 LEN=40"
    )
    assert _fw(ev) == ("2001:db8::9", "2001:db8::1", 161, 53000, "udp", "reject")


@pytest.mark.parametrize(
    ("line", "host", "action"),
    [
        (f"Nov 22 10:00:01 gw01 kernel: [UFW ALLOW] {KERNEL}", "gw01", "accept"),
        (f"2026-11-22T10:00:01.123456+07:00 gw02 kernel: DROP {KERNEL}", "gw02", "drop"),
        (KERNEL, "", "log"),
    ],
)
def test_bare_kernel_lines_as_in_kern_log(line, host, action):
    ev = parse_firewall(line, year=2026)
    assert ev.source == "firewall" and ev.host == host
    assert _fw(ev)[:5] == ("203.0.113.9", "10.0.0.5", 22, 5555, "tcp")
    assert ev.extra["action"] == action
    assert (ev.time is None) == (host == "")


def test_generic_key_value_form_and_icmp_without_ports():
    ev = parse_firewall(
        'action=deny src="198.51.100.4" dst=10.0.0.7 proto=TCP sport=40000 dport=3306'
    )
    assert _fw(ev) == ("198.51.100.4", "10.0.0.7", 3306, 40000, "tcp", "drop")
    ev = parse_firewall("src_ip=198.51.100.4 dst_ip=10.0.0.7 protocol=icmp")
    assert ev.extra["dst_port"] == 0 and ev.extra["proto"] == "icmp" and ev.extra["action"] == "log"


@pytest.mark.parametrize(
    "line",
    [
        "SRC=not-an-ip DST=10.0.0.5 PROTO=TCP DPT=22",
        "SRC=203.0.113.9 PROTO=TCP DPT=22",
        "a=b c=d",
        "",
    ],
)
def test_lines_without_two_valid_addresses_are_not_firewall_events(line):
    assert parse_firewall(line) is None


def test_auto_detection_reads_access_and_firewall_lines_and_counts_the_rest():
    parser = LineParser("auto")
    access = '203.0.113.12 - - [20/Nov/2026:08:15:02 +0700] "GET /a HTTP/1.1" 404 9 "-" "curl/8"'
    assert parser.parse(access).source == "access_log"
    assert parser.parse(f"Nov 22 10:00:01 gw01 kernel: {KERNEL}").extra["dst_port"] == 22
    assert parser.parse("key=value but no addresses") is None
    assert parser.counts["parsed"] == 2 and parser.counts["garbage"] == 1
