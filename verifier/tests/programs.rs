//! Our own expectations where the kernel cannot be asked: programs beyond its limits
//! (widened loops), `bpf_loop` callbacks (the kernel wants BTF for them) and the
//! untrusted-program settings. The verdict is in the file name (`acc_` / `rej_`).

mod common;

use common::programs_in;
use ferrobpf_verifier::verify;

#[test]
fn verdicts_match_the_file_names() {
    let mut wrong = Vec::new();
    let only = std::env::var("PROGRAMS_ONLY").unwrap_or_default();
    for mut p in programs_in("programs")
        .into_iter()
        .filter(|p| p.name.contains(&only))
    {
        let want = p.name.starts_with("acc_");
        // A smaller exploration budget than the kernel's keeps the test quick; the
        // widened loops do not need it.
        p.config.max_insns = 100_000;
        let r = verify(&p.insns, &p.maps, &p.config);
        match &r {
            Ok(rep) => println!(
                "{} ({}): accepted, {} insns, {} loops widened, {} paths joined",
                p.name,
                p.prog_type,
                rep.stats.insns_processed,
                rep.stats.widened_loops,
                rep.stats.joined
            ),
            Err(e) => println!("{}: rejected: {e}", p.name),
        }
        if r.is_ok() != want {
            wrong.push(p.name.clone());
        }
        if p.name.contains("widened") && want {
            let widened = r.as_ref().map(|rep| rep.stats.widened_loops).unwrap_or(0);
            assert!(widened > 0, "{}: expected a widened loop", p.name);
        }
    }
    assert!(wrong.is_empty(), "unexpected verdicts: {wrong:?}");
}

#[test]
fn rejections_name_instruction_reason_and_state() {
    let p = programs_in("programs")
        .into_iter()
        .find(|p| p.name == "rej_widened_loop_oob")
        .expect("program");
    let e = verify(&p.insns, &p.maps, &p.config).unwrap_err();
    assert_eq!(e.pc, 3);
    let text = e.to_string();
    assert!(
        text.starts_with("insn 3: invalid write to stack R1"),
        "{text}"
    );
    assert!(text.contains("R1=fp("), "{text}");
}

#[test]
fn logs_at_levels_one_and_two() {
    let mut p = programs_in("programs")
        .into_iter()
        .find(|p| p.name == "acc_unpriv_plain")
        .expect("program");
    p.config.log_level = 1;
    let l1 = verify(&p.insns, &p.maps, &p.config).unwrap().log;
    assert!(l1.contains("from 4 to 6:"), "{l1}");
    assert!(l1.contains("processed"), "{l1}");
    p.config.log_level = 2;
    let l2 = verify(&p.insns, &p.maps, &p.config).unwrap().log;
    assert!(
        l2.contains("0: (61) ldxw r2, r1, +0 ; R1=ctx() R10=fp()"),
        "{l2}"
    );
    p.config.log_level = 0;
    assert!(verify(&p.insns, &p.maps, &p.config).unwrap().log.is_empty());
}
