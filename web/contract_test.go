package web_test

import (
	"bytes"
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

var loadContract = sync.OnceValues(func() ([]contractOp, error) {
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
	return ops, nil
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
	ops, err := loadContract()
	if err != nil {
		return fmt.Errorf("openapi.json: %w", err)
	}
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

var errorSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	if _, err := loadContract(); err != nil {
		return nil, err
	}
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
	if err := c.AddResource(contractURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(contractURL + "#/components/schemas/Error")
})

func checkUndocumented(method, path string, status, want int, contentType string, body []byte) error {
	if status != want {
		return fmt.Errorf("%s %s is not in openapi.json, and answered %d instead of %d", method, path, status, want)
	}
	s, err := errorSchema()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %v", method, path, status, err)
	}
	if err := s.Validate(v); err != nil {
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
