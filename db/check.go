package db

import (
	"context"
	"fmt"
	"strings"
)

// IntegrityCheck runs PRAGMA integrity_check and returns an error that lists
// what SQLite found when the answer is anything but "ok".
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.r.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return fmt.Errorf("db: integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("db: integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("db: integrity check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("db: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}
