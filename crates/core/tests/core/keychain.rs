//! Keychain entries belong to one data folder: a second profile or a test folder never
//! reads or overwrites another folder's API key or GitHub token.

use skill_builder_core::secrets::service_name;

#[test]
fn two_data_folders_never_share_a_keychain_service() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let (sa, sb) = (service_name(a.path()), service_name(b.path()));
    assert_ne!(sa, sb);
    for s in [&sa, &sb] {
        let hex = s
            .strip_prefix("com.skillbuilder.app.")
            .unwrap_or_else(|| panic!("{s}"));
        assert_eq!(hex.len(), 8, "{s}");
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()), "{s}");
    }
    // Another spelling of the same folder is the same folder.
    let name = a.path().file_name().unwrap();
    let detour = a.path().join("..").join(name);
    assert_eq!(service_name(&detour), sa);
    #[cfg(unix)]
    {
        let link = b.path().join("link-to-a");
        std::os::unix::fs::symlink(a.path(), &link).unwrap();
        assert_eq!(service_name(&link), sa);
    }
}
