use super::*;

#[test]
fn table_is_sorted_and_well_formed() {
    assert!(HELPERS.windows(2).all(|w| w[0].id < w[1].id));
    for h in HELPERS.iter().chain(internal::HELPERS) {
        assert!(h.signature().is_ok(), "{}", h.name);
    }
    assert!(HELPERS.iter().all(|h| !internal::is_internal(h.id)));
    assert!(internal::HELPERS
        .iter()
        .all(|h| internal::is_internal(h.id)));
}

#[test]
fn every_helper_the_corpus_and_the_issue_name_is_there() {
    let wanted = (1..=16)
        .chain(18..=23)
        .chain(25..=30)
        .chain([33, 34, 36, 37, 38, 44, 45, 49, 51])
        .chain(54..=58)
        .chain([65, 69, 87, 88, 89, 112, 113, 114, 115, 125])
        .chain(130..=134)
        .chain([164, 181]);
    for id in wanted {
        assert!(prototype(id).is_some(), "helper {id}");
    }
    assert!(prototype(17).is_none());
}

#[test]
fn registry_holds_every_helper() {
    let env = Arc::new(HelperEnv::new(
        Arc::new(MapTable::new(1)),
        HostHooks::default(),
    ));
    let reg = registry(&env);
    assert_eq!(reg.len(), HELPERS.len() + internal::HELPERS.len());
    assert_eq!(reg.get(1).unwrap().name(), "map_lookup_elem");
}
