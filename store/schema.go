package store

import (
	"context"
	"fmt"
	"strings"
)

// Columns lists "table.column kind nullable" for every column (a primary key counts as NOT NULL on both) of the
// schema, with each engine's type names folded into one vocabulary, so that
// a test can prove both engines end at the same schema.
func (db *DB) Columns(ctx context.Context) ([]string, error) {
	q := `SELECT m.name, p.name, p.type, p."notnull" OR p.pk > 0 FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`
	if db.dialect == dialectPostgres {
		q = `SELECT table_name, column_name, data_type, CASE is_nullable WHEN 'NO' THEN 1 ELSE 0 END
			FROM information_schema.columns WHERE table_schema = current_schema()`
	}
	rows, err := db.read.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var table, col, typ string
		var notNull int
		if err := rows.Scan(&table, &col, &typ, &notNull); err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("%s.%s %s notnull=%d", table, col, kindOf(typ), notNull))
	}
	return out, rows.Err()
}

func kindOf(typ string) string {
	switch t := strings.ToLower(typ); {
	case t == "integer" || t == "bigint":
		return "integer"
	case t == "text":
		return "text"
	case t == "boolean":
		return "boolean"
	case t == "date":
		return "date"
	case strings.HasPrefix(t, "timestamp"):
		return "timestamp"
	default:
		return t
	}
}
