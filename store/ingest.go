package store

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	pd "github.com/partnerdesk/partnerdesk"
)

// Ingest is one all-or-nothing load of records (an API request, a CSV
// file, a Stripe event), in one write transaction. Its methods check each
// batch against the records before it and the database, and write the good
// records, so that a later batch sees them; DB.Ingest keeps the whole load
// only if no record had a problem. Derived data (lines' MRR, clients' MRR,
// products and engagement) is refreshed once at the end, set-based.
type Ingest struct {
	ctx      context.Context
	t        *tx
	res      pd.IngestResult
	problems pd.ProblemList
	counts   map[string]int               // records received per kind, for the audit log
	lines    map[linePair]lineEvent       // lines with new billing events: the latest of them
	types    map[string]map[string]string // PostgreSQL column types by table
	clients  map[int64]bool               // clients whose MRR, products and engagement to refresh
	ended    []endedRelation              // relationships ended, for the audit log
	// marked holds, by record index, the fields reported by Problem for
	// a record not yet checked (a CSV cell that could not be read); bad,
	// those with a problem of the batch being checked.
	marked, bad map[int][]string
}

type endedRelation struct {
	partnerID int64
	clientID  int64
	client    string // its account id
	on        pd.Date
}

// Ingest runs fn, which passes batches of records to the Ingest's methods,
// in one transaction, and commits it unless a record had a problem (a
// *pd.BatchError listing the first pd.MaxProblems) or dryRun is set. Only
// an ingest token or a program admin may ingest.
func (db *DB) Ingest(ctx context.Context, dryRun bool, fn func(in *Ingest) error) (pd.IngestResult, error) {
	res, err := db.ingest(ctx, dryRun, fn)
	return res, unavailable(err)
}

func (db *DB) ingest(ctx context.Context, dryRun bool, fn func(in *Ingest) error) (pd.IngestResult, error) {
	if _, err := requireIngest(ctx); err != nil {
		return pd.IngestResult{}, err
	}
	t, err := db.begin(ctx, true)
	if err != nil {
		return pd.IngestResult{}, fmt.Errorf("ingest: %w", err)
	}
	defer t.Rollback()
	in := &Ingest{ctx: ctx, t: t, counts: map[string]int{}, lines: map[linePair]lineEvent{}, clients: map[int64]bool{},
		marked: map[int][]string{}, bad: map[int][]string{}}
	// Records refer to the catalogue's products and tiers: a database
	// that was only migrated gets them now.
	var products int
	if err := t.queryRow(ctx, "SELECT COUNT(*) FROM products").Scan(&products); err != nil {
		return in.res, fmt.Errorf("ingest: %w", err)
	}
	if products < len(pd.Products) {
		if err := seedCatalogue(ctx, t); err != nil {
			return in.res, fmt.Errorf("ingest: %w", err)
		}
	}
	if err := fn(in); err != nil {
		return in.res, err
	}
	if err := in.problems.Err(); err != nil {
		return in.res, err
	}
	if err := in.refresh(); err != nil {
		return in.res, fmt.Errorf("ingest: refresh derived data: %w", err)
	}
	if err := in.audit(); err != nil {
		return in.res, err
	}
	if dryRun {
		return in.res, nil
	}
	if err := db.commit(t); err != nil {
		return in.res, fmt.Errorf("ingest: commit: %w", err)
	}
	return in.res, nil
}

// Problems is how many problems the load has found so far.
func (in *Ingest) Problems() int { return in.problems.Len() }

func (in *Ingest) problem(i int, field, code, format string, args ...any) {
	in.problems.Add(pd.Problemf(i, field, code, format, args...))
}

func (in *Ingest) audit() error {
	var kinds []string
	for k, n := range in.counts {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(kinds)
	for _, e := range in.ended {
		if err := audit(in.ctx, in.t, e.partnerID, "end_services", "client", e.client, "ended on "+e.on.String()); err != nil {
			return err
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	r := in.res
	return audit(in.ctx, in.t, 0, "ingest", "records", strings.Join(kinds, ", "),
		fmt.Sprintf("created %d, updated %d, unchanged %d, stale %d", r.Created, r.Updated, r.Unchanged, r.Stale))
}

// mode says what a stored record with other content means.
type mode int

const (
	modeUpdate    mode = iota // the record replaces it (an upsert)
	modeImmutable             // a conflict: events and usage days never change
	modeVersioned             // the newer version column wins; same version, other content: a conflict
)

// spec describes how records of one kind are stored.
type spec struct {
	kind       string   // for messages and the audit log
	table      string   //
	key        []string // the columns that identify a record, a prefix of cols
	cols       []string // the content columns
	insertOnly []string // columns written when a row is created (created_at, received_at)
	keyField   string   // the record field reported for a conflict
	hasID      bool     // the table has an id column (needed by modeUpdate and modeVersioned)
	mode       mode
	version    string            // modeVersioned: a column of cols holding a time
	unique     map[string]string // other unique columns of cols → record field
	fields     map[string]string // column → record field, for problems
}

// row is one record ready to write: its index, the values of cols then
// insertOnly, and the columns it leaves to their stored value.
type row struct {
	index int
	vals  []any
	keep  []string
}

type stored struct {
	id   int64
	vals []any // normalised cols
	raw  []any
}

// upsert checks rows against each other and the stored ones and writes
// what is new or changed; it returns the rows written (new and changed).
func (in *Ingest) upsert(s *spec, rows []row) (created, updated []row, err error) {
	nk := len(s.key)
	keyOf := func(vals []any) string {
		var b strings.Builder
		for _, v := range vals[:nk] {
			fmt.Fprint(&b, normalise(v), "\x00")
		}
		return b.String()
	}
	// Within the batch: a repeated record counts once; a repeated key with
	// other content is a conflict.
	seen := map[string]int{}
	var uniq []row
	for _, r := range rows {
		k := keyOf(r.vals)
		if first, ok := seen[k]; ok {
			diff := differs(s, uniq[first].vals, r.vals)
			if s.mode == modeVersioned && diff != "" {
				vi := slices.Index(s.cols, s.version)
				a, b := uniq[first].vals[vi].(time.Time), r.vals[vi].(time.Time)
				switch {
				case b.After(a): // the later version wins
					uniq[first] = r
					in.res.Stale++
					continue
				case b.Before(a):
					in.res.Stale++
					continue
				}
			}
			if diff == "" {
				in.res.Unchanged++
			} else {
				in.problem(r.index, s.keyField, pd.EConflict, "conflict: the same %s appears earlier in this load (record %d) with another %s", s.keyField, uniq[first].index, diff)
			}
			continue
		}
		seen[k] = len(uniq)
		uniq = append(uniq, r)
	}
	if len(uniq) == 0 {
		return nil, nil, nil
	}
	bad, err := in.checkUnique(s, uniq, keyOf)
	if err != nil {
		return nil, nil, err
	}
	if len(bad) > 0 {
		uniq = slices.DeleteFunc(uniq, func(r row) bool { return bad[r.index] })
	}
	have, err := in.fetch(s, uniq, keyOf)
	if err != nil {
		return nil, nil, err
	}
	var upd []row
	var updIDs []int64
	for _, r := range uniq {
		old, ok := have[keyOf(r.vals)]
		if !ok {
			created = append(created, r)
			continue
		}
		for _, c := range r.keep {
			i := slices.Index(s.cols, c)
			r.vals[i] = old.raw[i]
		}
		diff := differs(s, old.vals, r.vals)
		switch {
		case diff == "":
			in.res.Unchanged++
			continue
		case s.mode == modeImmutable:
			in.problem(r.index, s.keyField, pd.EConflict, "conflict: %s %v was stored before with another %s", s.keyField, r.vals[slices.Index(s.cols, keyColumn(s))], diff)
			continue
		case s.mode == modeVersioned:
			i := slices.Index(s.cols, s.version)
			nt, ot := r.vals[i].(time.Time), asTime(old.raw[i])
			switch {
			case ot != nil && nt.Before(*ot):
				in.res.Stale++
				continue
			case ot != nil && nt.Equal(*ot):
				in.problem(r.index, s.fields[s.version], pd.EConflict, "conflict: a version with the same %s was stored before with another %s", s.fields[s.version], diff)
				continue
			}
		}
		upd = append(upd, r)
		updIDs = append(updIDs, old.id)
	}
	// The good rows are written even when the load has problems (it will
	// be rolled back), so that later batches are checked against them.
	all := append(slices.Clone(s.cols), s.insertOnly...)
	vals := make([][]any, len(created))
	for i, r := range created {
		vals[i] = r.vals
	}
	if err := in.insertRows(s.table, all, vals, ""); err != nil {
		return nil, nil, fmt.Errorf("store %s: %w", s.kind, err)
	}
	if len(upd) > 0 {
		set := make([]string, len(s.cols))
		for i, c := range s.cols {
			set[i] = c + " = excluded." + c
		}
		vals = make([][]any, len(upd))
		for i, r := range upd {
			vals[i] = append([]any{updIDs[i]}, r.vals...)
		}
		if err := in.insertRows(s.table, append([]string{"id"}, all...), vals,
			" ON CONFLICT (id) DO UPDATE SET "+strings.Join(set, ", ")); err != nil {
			return nil, nil, fmt.Errorf("update %s: %w", s.kind, err)
		}
	}
	in.res.Created += len(created)
	in.res.Updated += len(upd)
	return created, upd, nil
}

func keyColumn(s *spec) string {
	for c, f := range s.fields {
		if f == s.keyField {
			return c
		}
	}
	return s.key[0]
}

// fetch loads the stored rows with the keys of rows.
func (in *Ingest) fetch(s *spec, rows []row, keyOf func([]any) string) (map[string]stored, error) {
	first := map[any]bool{}
	var ints []int64
	var strs []string
	for _, r := range rows {
		v := r.vals[0]
		if first[v] {
			continue
		}
		first[v] = true
		switch x := v.(type) {
		case int64:
			ints = append(ints, x)
		case string:
			strs = append(strs, x)
		default:
			return nil, fmt.Errorf("fetch %s: key of type %T", s.kind, v)
		}
	}
	var list any = strs
	if ints != nil {
		list = ints
	}
	cols := s.cols
	if s.hasID {
		cols = append([]string{"id"}, cols...)
	}
	q := fmt.Sprintf("SELECT %s FROM %s WHERE %s", strings.Join(cols, ", "), s.table, in.t.d.inList(s.key[0]))
	res, err := in.t.query(in.ctx, q, in.t.d.listArg(list))
	if err != nil {
		return nil, fmt.Errorf("read stored %s: %w", s.kind, err)
	}
	defer res.Close()
	have := map[string]stored{}
	want := map[string]bool{}
	for _, r := range rows {
		want[keyOf(r.vals)] = true
	}
	for res.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := res.Scan(ptrs...); err != nil {
			return nil, fmt.Errorf("read stored %s: %w", s.kind, err)
		}
		var st stored
		if s.hasID {
			st.id = vals[0].(int64)
			vals = vals[1:]
		}
		st.raw = vals
		st.vals = make([]any, len(vals))
		for i, v := range vals {
			st.vals[i] = normalise(v)
		}
		if k := keyOf(st.vals); want[k] {
			have[k] = st
		}
	}
	return have, res.Err()
}

// checkUnique reports rows whose unique columns (other than the key) are
// already used by another row, stored or earlier in the batch, and returns
// their indexes.
func (in *Ingest) checkUnique(s *spec, rows []row, keyOf func([]any) string) (map[int]bool, error) {
	bad := map[int]bool{}
	for col, field := range s.unique {
		ci := slices.Index(s.cols, col)
		owner := map[string]string{} // value → key
		var vals []string
		for _, r := range rows {
			v, ok := r.vals[ci].(string)
			if !ok || v == "" {
				continue
			}
			if k, dup := owner[v]; dup && k != keyOf(r.vals) {
				in.problem(r.index, field, pd.EConflict, "conflict: %s %q is used by another record of this load", field, v)
				bad[r.index] = true
				continue
			}
			owner[v] = keyOf(r.vals)
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			continue
		}
		q := fmt.Sprintf("SELECT %s, %s FROM %s WHERE %s", col, strings.Join(s.key, ", "), s.table, in.t.d.inList(col))
		res, err := in.t.query(in.ctx, q, in.t.d.listArg(vals))
		if err != nil {
			return nil, fmt.Errorf("check %s: %w", field, err)
		}
		taken := map[string]string{}
		for res.Next() {
			key := make([]any, len(s.key)+1)
			ptrs := make([]any, len(key))
			for i := range key {
				ptrs[i] = &key[i]
			}
			if err := res.Scan(ptrs...); err != nil {
				res.Close()
				return nil, err
			}
			for i := range key {
				key[i] = normalise(key[i])
			}
			taken[fmt.Sprint(key[0])] = keyOf(key[1:])
		}
		res.Close()
		if err := res.Err(); err != nil {
			return nil, err
		}
		for _, r := range rows {
			v, _ := r.vals[ci].(string)
			if k, ok := taken[v]; ok && v != "" && k != keyOf(r.vals) && !bad[r.index] {
				in.problem(r.index, field, pd.EConflict, "conflict: %s %q already belongs to another %s", field, v, s.kind)
				bad[r.index] = true
			}
		}
	}
	return bad, nil
}

// differs names the first content column where a and b differ, or "".
func differs(s *spec, a, b []any) string {
	for i, c := range s.cols {
		if normalise(a[i]) != normalise(b[i]) {
			if f := s.fields[c]; f != "" {
				return f
			}
			return c
		}
	}
	return ""
}

// normalise makes values from records and from either engine comparable:
// integers as int64, booleans as 0/1, times and dates as UTC RFC 3339.
func normalise(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case []byte:
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case *time.Time:
		if x == nil {
			return nil
		}
		return x.UTC().Format(time.RFC3339Nano)
	case pd.Date:
		if x.IsZero() {
			return nil
		}
		return x.Time().Format(time.RFC3339Nano)
	case string:
		// SQLite may hand back a DATE or TIMESTAMP column as text.
		if len(x) == 10 && x[4] == '-' && x[7] == '-' {
			if d, err := pd.ParseDate(x); err == nil {
				return d.Time().Format(time.RFC3339Nano)
			}
		}
		return x
	}
	return v
}

func asTime(v any) *time.Time {
	switch x := v.(type) {
	case time.Time:
		return &x
	case string:
		if t, err := time.Parse(sqliteTimeText, x); err == nil {
			return &t
		}
	}
	return nil
}

// insertRows inserts rows (values in the order of cols); suffix follows
// the INSERT (an ON CONFLICT clause). PostgreSQL gets one statement that
// unnests an array per column; SQLite, which has no arrays, multi-row
// INSERTs of as many rows as its placeholder limit allows.
func (in *Ingest) insertRows(table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	if in.t.d != dialectPostgres {
		return in.t.insertRows(in.ctx, table, cols, rows, suffix)
	}
	types, err := in.columnTypes(table)
	if err != nil {
		return err
	}
	arrays := make([]any, len(cols))
	casts := make([]string, len(cols))
	for j, c := range cols {
		a := make([]any, len(rows))
		for i, r := range rows {
			a[i] = r[j]
		}
		arrays[j] = a
		casts[j] = "CAST(? AS " + types[c] + "[])"
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT * FROM unnest(%s)%s", table, strings.Join(cols, ", "), strings.Join(casts, ", "), suffix)
	if _, err := in.t.exec(in.ctx, q, arrays...); err != nil {
		return mapError(err, table)
	}
	return nil
}

// columnTypes reads a PostgreSQL table's column types, once per load.
func (in *Ingest) columnTypes(table string) (map[string]string, error) {
	if ts, ok := in.types[table]; ok {
		return ts, nil
	}
	rows, err := in.t.query(in.ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = ?`, table)
	if err != nil {
		return nil, fmt.Errorf("read the columns of %s: %w", table, err)
	}
	defer rows.Close()
	ts := map[string]string{}
	for rows.Next() {
		var c, typ string
		if err := rows.Scan(&c, &typ); err != nil {
			return nil, err
		}
		ts[c] = typ
	}
	if in.types == nil {
		in.types = map[string]map[string]string{}
	}
	in.types[table] = ts
	return ts, rows.Err()
}

// insertRows inserts rows with multi-row INSERTs of as many rows as the
// engine's placeholder limit allows; suffix follows each statement.
func (t *tx) insertRows(ctx context.Context, table string, cols []string, rows [][]any, suffix string) error {
	if len(rows) == 0 {
		return nil
	}
	per := min(1000, t.d.maxParams()/len(cols))
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	head := fmt.Sprintf("INSERT INTO %s (%s) VALUES ", table, strings.Join(cols, ", "))
	args := make([]any, 0, per*len(cols))
	for len(rows) > 0 {
		n := min(per, len(rows))
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		q := head + strings.TrimSuffix(strings.Repeat(tuple+", ", n), ", ") + suffix
		if _, err := t.exec(ctx, q, args...); err != nil {
			return mapError(err, table)
		}
		rows = rows[n:]
	}
	return nil
}

// resolve maps external ids of a table's key column to row ids; ids not
// found are missing from the map.
func (in *Ingest) resolve(table, col string, keys []string) (map[string]int64, error) {
	out := map[string]int64{}
	var list []string
	for _, k := range keys {
		if _, ok := out[k]; !ok && k != "" {
			out[k] = 0
			list = append(list, k)
		}
	}
	clear(out)
	if len(list) == 0 {
		return out, nil
	}
	res, err := in.t.query(in.ctx, fmt.Sprintf("SELECT %s, id FROM %s WHERE %s", col, table, in.t.d.inList(col)), in.t.d.listArg(list))
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", table, err)
	}
	defer res.Close()
	for res.Next() {
		var k string
		var id int64
		if err := res.Scan(&k, &id); err != nil {
			return nil, err
		}
		out[k] = id
	}
	return out, res.Err()
}

// Problem adds a problem found by the caller (a CSV cell that is not a
// number, say): the load will be rejected like for the store's own. When
// the record is then passed in (its unreadable fields left zero), the
// checks report its other fields' problems only: Field "" stands for the
// whole record, which nothing else is reported of.
func (in *Ingest) Problem(p pd.Problem) {
	in.problems.Add(p)
	in.marked[p.Index] = append(in.marked[p.Index], p.Field)
}

// CanIngest reports, as a forbidden error, whether the principal in ctx
// may ingest (for pages that offer it).
func (db *DB) CanIngest(ctx context.Context) error {
	_, err := requireIngest(ctx)
	return err
}
