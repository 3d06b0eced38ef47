-- 0009: dashboard counts (reserved; being written).
SELECT 1;
