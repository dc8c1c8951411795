package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The API's document is a contract: every answer a test gets from a path
// the document describes (/api/…, /webhooks/…) is checked against it —
// the operation exists, the status is one it lists, and a JSON body
// validates against that status's schema, whose objects admit no field
// the document does not name. user.do calls checkContract, so every API
// test checks what it receives without saying so.

const contractURL = "urn:partnerdesk:contract"

type contractOp struct {
	method, path string
	re           *regexp.Regexp
	// responses by status key ("200", "4XX", "default"); a nil schema is
	// a response without a JSON body.
	responses map[string]*jsonschema.Schema
}

// contract is the compiled document: its operations, and its Error
// schema for answers to paths and methods it does not have.
type contract struct {
	ops      []contractOp
	errorDoc *jsonschema.Schema
}

var loadContract = sync.OnceValues(func() (*contract, error) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(contractURL, doc); err != nil {
		return nil, err
	}
	paths, _ := doc.(map[string]any)["paths"].(map[string]any)
	var ops []contractOp
	for path, item := range paths {
		methods, _ := item.(map[string]any)
		for method, op := range methods {
			if method == "parameters" {
				continue
			}
			re := "^" + regexp.MustCompile(`\\\{[^}]+\\\}`).ReplaceAllString(regexp.QuoteMeta(path), `[^/]+`) + "$"
			o := contractOp{method: strings.ToUpper(method), path: path, re: regexp.MustCompile(re), responses: map[string]*jsonschema.Schema{}}
			responses, _ := op.(map[string]any)["responses"].(map[string]any)
			for status, resp := range responses {
				r, _ := resp.(map[string]any)
				ptr := "#/paths/" + escapePointer(path) + "/" + method + "/responses/" + status
				if ref, ok := r["$ref"].(string); ok {
					r, ptr = resolve(doc, ref), ref
				}
				content, _ := r["content"].(map[string]any)
				media, _ := content["application/json"].(map[string]any)
				if _, ok := media["schema"]; !ok {
					o.responses[status] = nil
					continue
				}
				s, err := c.Compile(contractURL + ptr + "/content/application~1json/schema")
				if err != nil {
					return nil, fmt.Errorf("%s %s %s: %w", o.method, path, status, err)
				}
				o.responses[status] = s
			}
			ops = append(ops, o)
		}
	}
	// A literal path wins over a template that also matches it.
	sort.Slice(ops, func(i, j int) bool { return strings.Count(ops[i].path, "{") < strings.Count(ops[j].path, "{") })
	errorDoc, err := c.Compile(contractURL + "#/components/schemas/Error")
	if err != nil {
		return nil, err
	}
	return &contract{ops: ops, errorDoc: errorDoc}, nil
})

func resolve(doc any, ref string) map[string]any {
	v := doc
	for _, k := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, _ := v.(map[string]any)
		v = m[strings.ReplaceAll(strings.ReplaceAll(k, "~1", "/"), "~0", "~")]
	}
	m, _ := v.(map[string]any)
	return m
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// contractCovers says whether the document speaks for path.
func contractCovers(path string) bool {
	return strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/webhooks/")
}

// checkContract checks one answer against the document.
func checkContract(method, path string, status int, contentType string, body []byte) error {
	doc, err := loadContract()
	if err != nil {
		return fmt.Errorf("openapi.json: %w", err)
	}
	ops := doc.ops
	var op *contractOp
	for i := range ops {
		if ops[i].method == method && ops[i].re.MatchString(path) {
			op = &ops[i]
			break
		}
	}
	if op == nil {
		// A path or method the API does not have: the answer is still the
		// document's Error, 404 or 405.
		for i := range ops {
			if ops[i].re.MatchString(path) {
				return checkUndocumented(method, path, status, http.StatusMethodNotAllowed, contentType, body)
			}
		}
		return checkUndocumented(method, path, status, http.StatusNotFound, contentType, body)
	}
	code := strconv.Itoa(status)
	s, ok := op.responses[code]
	if !ok {
		s, ok = op.responses[code[:1]+"XX"]
	}
	if !ok {
		s, ok = op.responses["default"]
	}
	if !ok {
		return fmt.Errorf("%s %s answered %d, which openapi.json does not list for %s %s", method, path, status, op.method, op.path)
	}
	if s == nil {
		return nil
	}
	if mt, _, _ := mime.ParseMediaType(contentType); mt != "application/json" {
		return fmt.Errorf("%s %s %d: Content-Type %q, the document says application/json", method, path, status, contentType)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %v", method, path, status, err)
	}
	if err := s.Validate(v); err != nil {
		return fmt.Errorf("%s %s %d: body does not match openapi.json (%s %s):\n%v\nbody: %.2000s", method, path, status, op.method, op.path, err, body)
	}
	return nil
}

func checkUndocumented(method, path string, status, want int, contentType string, body []byte) error {
	if status != want {
		return fmt.Errorf("%s %s is not in openapi.json, and answered %d instead of %d", method, path, status, want)
	}
	doc, err := loadContract()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %v", method, path, status, err)
	}
	if err := doc.errorDoc.Validate(v); err != nil {
		return fmt.Errorf("%s %s %d: body is not the document's Error: %v", method, path, status, err)
	}
	return nil
}

// The checker itself: an answer the document does not describe fails.
func TestContractCheckRefusesWhatTheDocumentDoesNotSay(t *testing.T) {
	ok := `{"code":"not_found","message":"No such partner."}`
	if err := checkContract("GET", "/api/v1/partners/1", 404, "application/json", []byte(ok)); err != nil {
		t.Fatalf("a documented answer: %v", err)
	}
	for _, c := range []struct {
		name, method, path string
		status             int
		body               string
	}{
		{"undocumented operation", "DELETE", "/api/v1/partners/1", 200, ok},
		{"unknown path, not 404", "GET", "/api/v1/nothing", 200, ok},
		{"undocumented status", "GET", "/api/v1/partners/1", 418, ok},
		{"undocumented field", "GET", "/api/v1/partners/1", 404, `{"code":"not_found","message":"x","secret":1}`},
		{"undocumented code", "GET", "/api/v1/partners/1", 404, `{"code":"teapot","message":"x"}`},
		{"not JSON", "GET", "/api/v1/partners/1", 404, `not found`},
	} {
		if err := checkContract(c.method, c.path, c.status, "application/json", []byte(c.body)); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
}

// One rule, two places: every maxLength in the document is one of the Go
// checks' limits, and both count characters, so a record at the limit in
// accented letters (twice as many bytes) passes both and one character
// more is refused.
func TestDocumentLimitsAreTheChecksLimits(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ml, ok := v["maxLength"].(float64); ok {
				n++
				if int(ml) != pd.MaxIDLen && int(ml) != pd.MaxTextLen {
					t.Errorf("%s: maxLength %v is neither MaxIDLen (%d) nor MaxTextLen (%d)", at, ml, pd.MaxIDLen, pd.MaxTextLen)
				}
			}
			// A record's amount or count has the checks' bound (small
			// bounds, such as a page size or a contract's months, are
			// the document's own).
			if mx, ok := v["maximum"].(float64); ok && mx >= 1e6 && int64(mx) != pd.MaxMoney && int64(mx) != pd.MaxCount {
				t.Errorf("%s: maximum %v is neither MaxMoney (%d) nor MaxCount (%d)", at, mx, int64(pd.MaxMoney), int64(pd.MaxCount))
			}
			for k, x := range v {
				walk(x, at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
	if n < 10 {
		t.Fatalf("only %d maxLength in the document", n)
	}

	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		ingest := a.bearer(st.IngestToken)
		at := func(id, name int) string {
			return fmt.Sprintf(`{"records":[{"id":%q,"name":%q}]}`, strings.Repeat("é", id), strings.Repeat("é", name))
		}
		if body := ingest.postJSON("/api/v1/partners", at(pd.MaxIDLen, pd.MaxTextLen)); ingest.status != http.StatusOK {
			t.Fatalf("at the limits: %d %s", ingest.status, body)
		}
		for _, over := range []string{at(pd.MaxIDLen+1, 1), at(1, pd.MaxTextLen+1)} {
			if body := ingest.postJSON("/api/v1/partners", over); ingest.status != http.StatusUnprocessableEntity {
				t.Errorf("over a limit: %d %s", ingest.status, body)
			}
		}
	})
}
