//! The marker block: on any bytes, finding never panics, and a splice
//! keeps every byte outside the block and is found again as one block.
#![no_main]

use ctxbudget::memory::block;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(found) = block::find(data) else {
        return;
    };
    let ending = block::line_ending(data);
    let new = block::encode(
        &format!("{}\nbody\n{}", block::BEGIN, block::END),
        ending,
    );
    let Ok(out) = block::splice(data, &new) else {
        panic!("find accepted what splice refused");
    };
    let again = block::find(&out)
        .expect("a spliced file stays balanced")
        .expect("and holds the block");
    assert_eq!(&out[again.start..again.end], &new[..]);
    match found {
        Some(old) => {
            assert_eq!(&out[..again.start], &data[..old.start]);
            assert_eq!(&out[again.end..], &data[old.end..]);
        }
        None => assert!(out.starts_with(data)),
    }
    assert_eq!(block::splice(&out, &new).expect("balanced"), out);
});
