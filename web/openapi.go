package web

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	pd "github.com/partnerdesk/partnerdesk"
)

// The API is described by an OpenAPI 3.1 document written by hand
// (openapi.json), served at /api/v1/openapi.json, and used to validate
// request bodies: each operation's request body schema is compiled once, at
// start, with santhosh-tekuri/jsonschema (JSON Schema 2020-12, the dialect
// of OpenAPI 3.1). A test checks that the document and the routes table
// name the same operations.

//go:embed openapi.json
var openapiJSON []byte

// openapiURL names the document inside the schema compiler; it is never
// fetched.
const openapiURL = "urn:partnerdesk:openapi.json"

// apiDoc is the parsed document.
type apiDoc struct {
	ops    map[string]bool               // "GET /api/v1/partners/{partner}"
	bodies map[string]*jsonschema.Schema // request body schemas by operation
}

func loadAPIDoc() (*apiDoc, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(openapiJSON))
	if err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource(openapiURL, doc); err != nil {
		return nil, fmt.Errorf("openapi.json: %w", err)
	}
	d := &apiDoc{ops: map[string]bool{}, bodies: map[string]*jsonschema.Schema{}}
	root, _ := doc.(map[string]any)
	paths, _ := root["paths"].(map[string]any)
	for path, item := range paths {
		methods, _ := item.(map[string]any)
		for method, op := range methods {
			key := strings.ToUpper(method) + " " + path
			d.ops[key] = true
			ref := lookup(op, "requestBody", "content", "application/json", "schema", "$ref")
			if ref == nil {
				continue
			}
			s, err := c.Compile(openapiURL + ref.(string))
			if err != nil {
				return nil, fmt.Errorf("openapi.json: %s: %w", key, err)
			}
			d.bodies[key] = s
		}
	}
	return d, nil
}

func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// Operations lists the document's operations ("GET /api/v1/…"), for tests.
func (s *Server) Operations() []string {
	var ops []string
	for op := range s.api.ops {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	return ops
}

// decodeBody reads a JSON request body, validates it against the schema of
// its operation (the route's pattern) in the document and decodes it into
// v. A body that is not JSON is invalid (400); one that is not UTF-8 text
// or breaks the schema is a *pd.BatchError (422) naming each problem: its
// record's index ("records"/N), the field and the reason. The index of a
// problem with the request as a whole is -1.
func (s *Server) decodeBody(r *http.Request, v any) error {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return bodyError(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return pd.Errorf(pd.EInvalid, "The request body is not JSON: %s", jsonErrorText(err))
	}
	// The decoders turn bytes that are not UTF-8 into U+FFFD without a
	// word: find the strings that hold them while the bytes are at hand.
	if !utf8.Valid(raw) {
		if err := utf8Problems(raw); err != nil {
			return err
		}
	}
	if sch := s.api.bodies[r.Pattern]; sch != nil {
		if err := sch.Validate(doc); err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				return pd.Errorf(pd.EInvalid, "The request body could not be checked.")
			}
			return schemaProblems(ve)
		}
	}
	if err := json.Unmarshal(raw, v); err != nil {
		// The schema allows nothing that Go cannot decode; this is a guard.
		return pd.Errorf(pd.EInvalid, "The request body does not match the schema: %s", jsonErrorText(err))
	}
	return nil
}

func jsonErrorText(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

var printer = message.NewPrinter(language.English)

// schemaProblems flattens a validation error into one problem per failed
// keyword, at the record (index) and field it concerns, as a
// *pd.BatchError.
func schemaProblems(ve *jsonschema.ValidationError) error {
	var ps pd.ProblemList
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		index, name := problemAt(e.InstanceLocation)
		switch k := e.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				ps.Add(pd.Problemf(index, join(name, m), pd.EInvalid, "is required"))
			}
			return
		case *kind.AdditionalProperties:
			for _, m := range k.Properties {
				ps.Add(pd.Problemf(index, join(name, m), pd.EInvalid, "is not a field of this record"))
			}
			return
		}
		ps.Add(pd.Problem{Index: index, Field: name, Code: pd.EInvalid, Reason: e.ErrorKind.LocalizedString(printer)})
	}
	walk(ve)
	return ps.Err()
}

// problemAt turns a location in the body into a problem's record index
// and field: ["records", "3", "tools", "1"] is record 3, "tools.1"; a
// location outside the records is index -1.
func problemAt(loc []string) (index int, field string) {
	index = -1
	if len(loc) >= 2 && loc[0] == "records" {
		if n, err := strconv.Atoi(loc[1]); err == nil {
			index, loc = n, loc[2:]
		}
	}
	return index, strings.Join(loc, ".")
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
