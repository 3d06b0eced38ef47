-- 0007: bulk actions (reserved; being written).
SELECT 1;
