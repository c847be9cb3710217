//! The examples of examples/, run as tests.

#[allow(dead_code)]
#[path = "../examples/xdp_counter.rs"]
mod xdp_counter;

#[allow(dead_code)]
#[path = "../examples/plugin_host.rs"]
mod plugin_host;

use ferrobpf::embed::EmbedError;
use ferrobpf::vm::interp::ExecErrorKind;
use ferrobpf::vm::linux::RunError;

#[test]
fn xdp_counter_counts_the_generated_packets() {
    let packets = xdp_counter::generated_packets();
    let s = xdp_counter::run(&packets).unwrap();
    // Every 5th packet goes to UDP port 9 and is dropped, unless it is TCP.
    let dropped = (0..40u8).filter(|i| i % 5 == 0 && i % 3 != 0).count() as u64;
    assert_eq!(s.actions.get(&1), Some(&dropped));
    assert_eq!(s.actions.get(&2), Some(&(40 - dropped)));
    assert_eq!(s.per_protocol.values().sum::<u64>(), 40);
    assert_eq!(s.per_protocol.get(&6), Some(&14));
    let total: u64 = packets.iter().map(|p| p.len() as u64).sum();
    assert_eq!(s.bytes_per_source.values().sum::<u64>(), total);
    assert_eq!(s.bytes_per_source.len(), 4);
}

#[test]
fn xdp_counter_reads_pcap_files() {
    let mut pcap = vec![0xd4, 0xc3, 0xb2, 0xa1];
    pcap.extend([0u8; 20]);
    for p in [vec![1u8, 2, 3], vec![4u8; 60]] {
        pcap.extend([0u8; 8]);
        pcap.extend((p.len() as u32).to_le_bytes());
        pcap.extend((p.len() as u32).to_le_bytes());
        pcap.extend(&p);
    }
    let packets = xdp_counter::read_pcap(&pcap).unwrap();
    assert_eq!(packets, [vec![1, 2, 3], vec![4; 60]]);
    assert!(xdp_counter::read_pcap(b"nope").is_none());
    pcap.truncate(pcap.len() - 1);
    assert!(xdp_counter::read_pcap(&pcap).is_none());
}

#[test]
fn plugin_host_filters_and_stops_the_runaway() {
    let events: Vec<plugin_host::Event> = (0..10u64)
        .map(|i| plugin_host::Event {
            kind: if i % 4 == 3 { 2 } else { 1 },
            size: 16,
            value: i * 150,
        })
        .collect();
    let o = plugin_host::run(&events).unwrap();
    assert_eq!(o.accepted, [0, 150, 300]);
    assert_eq!(o.notes, [600, 750, 900, 1200, 1350]);
    match &o.greedy_verdict {
        Err(EmbedError::Rejected { program, rejection }) => {
            assert_eq!(program, "greedy");
            assert!(rejection.pc <= 4, "{rejection}");
        }
        other => panic!("the runaway filter was not refused: {other:?}"),
    }
    match o.greedy {
        Err(EmbedError::Run {
            error: RunError::Exec(e),
            ..
        }) => assert_eq!(
            e.kind,
            ExecErrorKind::BudgetExhausted {
                budget: plugin_host::BUDGET
            }
        ),
        other => panic!("unexpected: {other:?}"),
    }
}
