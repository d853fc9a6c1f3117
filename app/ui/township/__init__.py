"""The township's desk in the window: 校验报送包 (`verify_dialog`) and 汇总下级报送包
(`aggregate_dialog`)."""
