-- 0008: presence (reserved; being written).
SELECT 1;
