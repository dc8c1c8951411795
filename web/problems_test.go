package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// A batch with thousands of problems, found by the schema or by the store,
// is answered with the first pd.MaxProblems and their count, in an answer
// the document describes; the upload page says the same of a file.
func TestRejectedBatchesListTheFirstProblemsAndCountAll(t *testing.T) {
	errorSchema := compileDoc(t, "/components/schemas/Error")
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		batch := func(n int, record string) string {
			recs := make([]string, n)
			for i := range recs {
				recs[i] = fmt.Sprintf(record, i)
			}
			return `{"records":[` + strings.Join(recs, ",") + `]}`
		}
		cases := []struct {
			name, body     string
			records, total int
		}{
			// No occurred_at, an unknown product, a negative MRR: three each.
			{"schema", batch(4000, `{"id":"b%d","client":"acct-northwind.example","product":"nope","mrr":-1}`), 4000, 12000},
			{"store", batch(3000, `{"id":"b%d","occurred_at":"2026-11-01T00:00:00Z","client":"acct-nobody","product":"sales-pro","mrr":1}`), 3000, 3000},
		}
		for _, c := range cases {
			body := in.postJSON("/api/v1/billing-events", c.body)
			var r struct {
				Problems      []pd.Problem `json:"problems"`
				ProblemsTotal int          `json:"problems_total"`
				Message       string       `json:"message"`
			}
			if err := json.Unmarshal([]byte(body), &r); err != nil || in.status != http.StatusUnprocessableEntity {
				t.Fatalf("%s: %d %v", c.name, in.status, err)
			}
			if len(r.Problems) != pd.MaxProblems || r.ProblemsTotal != c.total || !strings.Contains(r.Message, fmt.Sprint(c.total)) {
				t.Errorf("%s: %d problems listed of %d (%q), want %d of %d", c.name, len(r.Problems), r.ProblemsTotal, r.Message, pd.MaxProblems, c.total)
			}
			// The first by record: those of records 0, 1, … in turn.
			per := c.total / c.records
			for i, p := range r.Problems {
				if p.Index != i/per {
					t.Fatalf("%s: problem %d is of record %d, want %d", c.name, i, p.Index, i/per)
				}
			}
			if len(body) > 200_000 {
				t.Errorf("%s: an answer of %d bytes", c.name, len(body))
			}
			doc, _ := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(body)))
			if err := errorSchema.Validate(doc); err != nil {
				t.Errorf("%s: the answer breaks the document: %v", c.name, err)
			}
		}

		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/import")
		page := admin.upload("clients", "id,name,employees\n"+strings.Repeat(",,many\n", 1500), true)
		report := between(page, `data-testid="report"`, "</section>")
		if admin.status != http.StatusUnprocessableEntity || !strings.Contains(report, "<strong>4,500</strong> problems in 1,500 rows") ||
			strings.Count(report, `<tr><td class="num">`) != pd.MaxProblems || !strings.Contains(report, "The first 1,000 problems are shown; fix them") {
			t.Errorf("upload: %d\n%.2000s", admin.status, report)
		}
	})
}
