"""The 报送包 format both sides share (docs/formats.md "Export bundle"): the branch writes it
(`write`), the township reads and checks it (`read`, `zipsafety`, `checks`; the township's
verdict is `app.township.verify`)."""
