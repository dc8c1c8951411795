// Package csvimport reads CSV files of records (partners, clients,
// subscriptions, events, usage, partner users' activity, renewals, …) into the store, all or
// nothing, with the API's validation: the command line's "import" and the
// admin upload page both use it. A file's header names the columns, which
// are the API's record fields; the report lists the bad rows by line and
// column (the first pd.MaxProblems problems, and how many there are).
package csvimport

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// chunk is how many rows go to the store at a time (one API batch).
const chunk = pd.MaxBatch

// kinds maps each kind of file to its record type and store method.
var kinds = map[string]func(ctx context.Context, in *store.Ingest, rd *reader) error{
	"partners":       run((*store.Ingest).Partners),
	"staff":          run((*store.Ingest).Staff),
	"certifications": run((*store.Ingest).Certifications),
	"clients":        run((*store.Ingest).Clients),
	"relationships":  run((*store.Ingest).Relationships),
	"subscriptions":  run((*store.Ingest).SubscriptionLines),
	"events":         run((*store.Ingest).BillingEvents),
	"usage":          run((*store.Ingest).Usage),
	"activity":       run((*store.Ingest).Activity),
	"renewals":       run((*store.Ingest).Renewals),
}

// Kinds lists the kinds of file, in the order a form offers them (parents
// before the records that refer to them).
var Kinds = []string{"staff", "partners", "certifications", "clients", "relationships", "subscriptions", "events", "usage", "activity", "renewals"}

// Columns lists a kind's columns, for help texts.
func Columns(kind string) []string {
	t, ok := recordTypes[kind]
	if !ok {
		return nil
	}
	var cols []string
	for _, f := range fieldsOf(t) {
		cols = append(cols, f.name)
	}
	return cols
}

var recordTypes = map[string]reflect.Type{
	"partners": reflect.TypeFor[pd.PartnerRecord](), "staff": reflect.TypeFor[pd.StaffRecord](),
	"certifications": reflect.TypeFor[pd.CertificationRecord](), "clients": reflect.TypeFor[pd.ClientRecord](),
	"relationships": reflect.TypeFor[pd.RelationshipRecord](), "subscriptions": reflect.TypeFor[pd.SubscriptionLineRecord](),
	"events": reflect.TypeFor[pd.BillingEventRecord](), "usage": reflect.TypeFor[pd.UsageRecord](), "activity": reflect.TypeFor[pd.ActivityRecord](),
	"renewals": reflect.TypeFor[pd.RenewalRecord](),
}

// Options tune an import.
type Options struct {
	DryRun bool
	// Progress, when set, is told the rows and bytes read so far, after
	// each chunk of rows.
	Progress func(rows int, bytes int64)
}

// Report says what an import did, or why it did nothing.
type Report struct {
	Kind          string
	Rows          int
	DryRun        bool
	Result        pd.IngestResult
	Problems      []RowProblem // the first pd.MaxProblems, by line; when set, nothing was written
	ProblemsTotal int          // all of them, listed or not
	Took          time.Duration
}

// RowProblem is a problem with one cell (or row) of the file.
type RowProblem struct {
	Line   int    // in the file, from 1 (the header)
	Column string // "" for the whole row
	Code   string
	Reason string
	Format string // Reason's message and arguments, for the pages' languages
	Args   []any
}

// rowProblem is p on line.
func rowProblem(line int, p pd.Problem) RowProblem {
	return RowProblem{Line: line, Column: p.Field, Code: p.Code, Reason: p.Reason, Format: p.Format, Args: p.MessageArgs()}
}

// problem is p as a record's problem at index.
func (p RowProblem) problem(index int) pd.Problem {
	q := pd.Problemf(index, p.Column, pd.EInvalid, "%s", p.Reason)
	if p.Format != "" {
		q = pd.Problemf(index, p.Column, pd.EInvalid, p.Format, p.Args...)
	}
	return q
}

// rowProblemf is a problem of line (and column) whose reason is format with args.
func rowProblemf(line int, column, format string, args ...any) RowProblem {
	return RowProblem{Line: line, Column: column, Code: pd.EInvalid, Reason: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func (p RowProblem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", p.Line, p.Column, p.Reason)
}

// Import reads a CSV file of kind into the store in one transaction. The
// principal in ctx must be allowed to ingest (a program admin). Problems
// with the data are in the report (and nothing is written); the error is
// for everything else.
func Import(ctx context.Context, db *store.DB, kind string, r io.Reader, opt Options) (*Report, error) {
	start := time.Now()
	fn, ok := kinds[kind]
	if !ok {
		return nil, pd.Errorf(pd.EInvalid, "Unknown kind %q: one of %s.", kind, strings.Join(Kinds, ", "))
	}
	rd, err := newReader(r, recordTypes[kind], opt.Progress)
	rep := &Report{Kind: kind, DryRun: opt.DryRun}
	if err != nil {
		if hp, ok := err.(*headerProblem); ok {
			rep.Problems, rep.ProblemsTotal = []RowProblem{hp.RowProblem}, 1
			return rep, nil
		}
		return nil, err
	}
	res, err := db.Ingest(ctx, opt.DryRun, func(in *store.Ingest) error { return fn(ctx, in, rd) })
	rep.Rows, rep.Result, rep.Took = rd.rows, res, time.Since(start)
	if be := pd.AsBatchError(err); be != nil {
		for _, p := range be.Problems {
			rep.Problems = append(rep.Problems, rowProblem(rd.lineOf(p.Index), p))
		}
		sort.SliceStable(rep.Problems, func(i, j int) bool { return rep.Problems[i].Line < rep.Problems[j].Line })
		rep.ProblemsTotal = be.Count()
		return rep, nil
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// run reads the file in chunks of records of type T and hands each to
// write, numbering records so that problems map back to lines. A row whose
// cells cannot all be read goes with the others, its bad cells left empty
// and reported first (the whole row, when it cannot be read at all), so
// that the report has every problem of every row: the record checks and
// references of its other cells too.
func run[T any](write func(*store.Ingest, []T, int) error) func(context.Context, *store.Ingest, *reader) error {
	return func(ctx context.Context, in *store.Ingest, rd *reader) error {
		recs := make([]T, 0, chunk)
		base := 0
		flush := func() error {
			if len(recs) == 0 {
				return nil
			}
			if err := write(in, recs, base); err != nil {
				return err
			}
			base += len(recs)
			recs = recs[:0]
			rd.progressed()
			return ctx.Err()
		}
		for {
			var rec T
			ok, err := rd.next(reflect.ValueOf(&rec).Elem())
			if err == io.EOF {
				return flush()
			} else if err != nil {
				return err
			}
			if !ok {
				whole := false
				for _, p := range rd.cellProblems {
					whole = whole || p.Column == ""
				}
				for _, p := range rd.cellProblems {
					if !whole || p.Column == "" {
						in.Problem(p.problem(base + len(recs)))
					}
				}
				if whole {
					rec = *new(T)
				}
			}
			recs = append(recs, rec)
			if len(recs) == chunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
	}
}

// field is a column of a record type.
type field struct {
	name  string
	index int
}

func fieldsOf(t reflect.Type) []field {
	var fs []field
	for i := range t.NumField() {
		tag := t.Field(i).Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if name != "" && name != "-" {
			fs = append(fs, field{name, i})
		}
	}
	return fs
}

type headerProblem struct{ RowProblem }

func (h *headerProblem) Error() string { return h.String() }

// reader turns CSV rows into records.
type reader struct {
	csv          *csv.Reader
	counter      *countingReader
	cols         []int // record field index of each column, -1 for none
	names        []string
	lines        []int32 // the line of each record handed out, by number
	rows         int
	cellProblems []RowProblem
	progress     func(int, int64)
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newReader(r io.Reader, t reflect.Type, progress func(int, int64)) (*reader, error) {
	cr := &countingReader{r: r}
	c := csv.NewReader(cr)
	c.ReuseRecord = true
	c.FieldsPerRecord = -1
	header, err := c.Read()
	if err == io.EOF {
		return nil, &headerProblem{rowProblemf(1, "", "the file is empty; its first line must name the columns")}
	} else if err != nil {
		return nil, &headerProblem{RowProblem{Line: 1, Code: pd.EInvalid, Reason: csvError(err)}}
	}
	fs := fieldsOf(t)
	rd := &reader{csv: c, counter: cr, progress: progress}
	seen := map[string]bool{}
	for _, h := range header {
		if !utf8.ValidString(h) {
			p := pd.NotUTF8(0, strings.ToValidUTF8(h, "\ufffd"))
			return nil, &headerProblem{rowProblem(1, p)}
		}
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		i := slices.IndexFunc(fs, func(f field) bool { return f.name == h })
		if i < 0 {
			var names []string
			for _, f := range fs {
				names = append(names, f.name)
			}
			return nil, &headerProblem{rowProblemf(1, h, "unknown column; the columns are %s", strings.Join(names, ", "))}
		}
		if seen[h] {
			return nil, &headerProblem{rowProblemf(1, h, "the column appears twice")}
		}
		seen[h] = true
		rd.cols = append(rd.cols, fs[i].index)
		rd.names = append(rd.names, h)
	}
	return rd, nil
}

func csvError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// next reads a row into rec; ok is false when a cell could not be read
// (see cellProblems). Blank lines are skipped.
func (rd *reader) next(rec reflect.Value) (ok bool, err error) {
	row, err := rd.csv.Read()
	if err == io.EOF {
		return false, io.EOF
	}
	rd.rows++
	rd.cellProblems = rd.cellProblems[:0]
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return false, err
		}
		rd.lines = append(rd.lines, int32(pe.StartLine))
		rd.cellProblems = append(rd.cellProblems, RowProblem{Line: pe.StartLine, Reason: csvError(err)})
		return false, nil
	}
	line, _ := rd.csv.FieldPos(0)
	rd.lines = append(rd.lines, int32(line))
	if len(row) > len(rd.cols) {
		rd.cellProblems = append(rd.cellProblems, rowProblemf(line, "", "%d cells for %d columns", len(row), len(rd.cols)))
		return false, nil
	}
	for i, cell := range row {
		// Checked before a cell is parsed, so that a date or a number is
		// reported like a text.
		if !utf8.ValidString(cell) {
			p := pd.NotUTF8(0, rd.names[i])
			rd.cellProblems = append(rd.cellProblems, rowProblem(line, p))
			continue
		}
		if err := setField(rec.Field(rd.cols[i]), cell); err != nil {
			rd.cellProblems = append(rd.cellProblems, RowProblem{Line: line, Column: rd.names[i], Reason: err.Error()})
		}
	}
	return len(rd.cellProblems) == 0, nil
}

func (rd *reader) lineOf(index int) int {
	if index >= 0 && index < len(rd.lines) {
		return int(rd.lines[index])
	}
	return 0
}

func (rd *reader) progressed() {
	if rd.progress != nil {
		rd.progress(rd.rows, rd.counter.n)
	}
}

var (
	timeType = reflect.TypeFor[time.Time]()
	dateType = reflect.TypeFor[pd.Date]()
)

// setField parses a cell into a record field; an empty cell leaves it
// zero (left out).
func setField(v reflect.Value, cell string) error {
	cell = strings.TrimSpace(cell)
	if cell == "" {
		return nil
	}
	switch v.Type() {
	case timeType:
		t, err := time.Parse(time.RFC3339Nano, cell)
		if err != nil {
			return fmt.Errorf("%q is not a time like 2026-01-31T09:30:00Z", cell)
		}
		v.Set(reflect.ValueOf(t))
		return nil
	case dateType:
		d, err := pd.ParseDate(cell)
		if err != nil {
			return fmt.Errorf("%q is not a date like 2026-01-31", cell)
		}
		v.Set(reflect.ValueOf(d))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(cell)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(cell, 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", cell)
		}
		v.SetInt(n)
	case reflect.Bool:
		b, err := parseBool(cell)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		if err := setField(p.Elem(), cell); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Slice:
		v.Set(reflect.ValueOf(strings.FieldsFunc(cell, func(r rune) bool { return r == '|' || r == ';' || r == ' ' })))
	default:
		return fmt.Errorf("cannot be read from a CSV file")
	}
	return nil
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}
