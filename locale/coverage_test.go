package locale_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/template/parse"
)

// The templates whose words come from the catalogs.
var templateDirs = []string{"../web/templates", "../email/templates"}

// allowed are the words a template may write outside a message: the
// brand, and codes that read the same in every language.
var allowed = regexp.MustCompile(`\b(Partnerdesk|UTC|CSV|JSON|API|HTTP|OpenAPI|TOTP|SSO|OIDC|ID|URL|MRR|Stripe|mailto|https?|www|Email|e-mail|px)\b|&[a-zA-Z]+;|&#\d+;`)

var letter = regexp.MustCompile(`\p{L}`)

// wordy is a string argument that reads as words, not a code.
var wordy = regexp.MustCompile(`^\p{Lu}\p{Ll}|\p{L}\s+\p{L}`)

// seen are the messages a template or the Go code uses, with where.
type seen map[string]string

func parseTemplate(t *testing.T, path string) map[string]*parse.Tree {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tr := parse.New(filepath.Base(path))
	tr.Mode = parse.SkipFuncCheck
	trees := map[string]*parse.Tree{}
	if _, err := tr.Parse(string(data), "{{", "}}", trees); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return trees
}

// walk collects a tree's text (actions as \x00) and the keys of its t calls.
func walk(n parse.Node, text *strings.Builder, keys func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, text, keys)
		}
	case *parse.TextNode:
		text.Write(n.Text)
	case *parse.ActionNode:
		text.WriteByte(0)
		walk(n.Pipe, text, keys)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, text, keys)
		}
	case *parse.CommandNode:
		fn := ""
		if id, ok := n.Args[0].(*parse.IdentifierNode); ok {
			fn = id.Ident
		}
		for i, a := range n.Args {
			s, ok := a.(*parse.StringNode)
			switch {
			case !ok:
				walk(a, text, keys)
			case fn == "t" && i == 1:
				keys(s.Text)
			case fn == "eq" || fn == "ne" || fn == "query" || fn == "include" || fn == "dict" && i%2 == 1:
			case wordy.MatchString(s.Text):
				// Words in an argument (or "Not set"): the reader sees them.
				text.WriteString("\x00" + s.Text + "\x00")
			}
		}
	case *parse.IfNode:
		walk(n.Pipe, text, keys)
		walk(n.List, text, keys)
		walk(n.ElseList, text, keys)
	case *parse.RangeNode:
		walk(n.Pipe, text, keys)
		walk(n.List, text, keys)
		walk(n.ElseList, text, keys)
	case *parse.WithNode:
		walk(n.Pipe, text, keys)
		walk(n.List, text, keys)
		walk(n.ElseList, text, keys)
	case *parse.TemplateNode:
		text.WriteByte(0)
		walk(n.Pipe, text, keys)
	}
}

var visibleAttr = regexp.MustCompile(`(?i)\s(title|aria-label|placeholder|alt|aria-description)\s*=\s*"([^"]*)"`)

// words is what a reader sees of a template's text: outside tags (and
// outside script and style), and in the attributes a reader sees or hears.
func words(text string) []string {
	var out []string
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] != '<' {
			b.WriteByte(text[i])
			i++
			continue
		}
		end := strings.IndexByte(text[i:], '>')
		if end < 0 {
			end = len(text) - i - 1
		}
		tag := text[i : i+end+1]
		for _, m := range visibleAttr.FindAllStringSubmatch(tag, -1) {
			out = append(out, m[2])
		}
		i += end + 1
		for _, raw := range []string{"script", "style"} {
			if strings.HasPrefix(strings.ToLower(tag), "<"+raw) {
				if j := strings.Index(text[i:], "</"+raw); j >= 0 {
					i += j
				}
			}
		}
		out = append(out, b.String())
		b.Reset()
	}
	out = append(out, b.String())
	var res []string
	for _, s := range out {
		for _, f := range strings.Split(s, "\x00") {
			if letter.MatchString(allowed.ReplaceAllString(f, "")) {
				res = append(res, strings.TrimSpace(f))
			}
		}
	}
	return res
}

func templateKeys(t *testing.T, check bool) seen {
	used := seen{}
	for _, dir := range templateDirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			var text strings.Builder
			for _, tr := range parseTemplate(t, path) {
				walk(tr.Root, &text, func(k string) { used[k] = path })
				text.WriteByte(0)
			}
			if check {
				for _, w := range words(text.String()) {
					t.Errorf("%s: words outside the catalog: %q", path, w)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return used
}

func isString(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == token.STRING
}

// goKeys are the messages the Go code prints: the formats of pd.Errorf
// (the user's message of a domain error) and the keys of T calls.
func goKeys(t *testing.T) seen {
	used := seen{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if n := d.Name(); n != ".." && (strings.HasPrefix(n, ".") || n == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		root := f.Name.Name == "partnerdesk"
		ast.Inspect(f, func(n ast.Node) bool {
			// A fixed message of a domain error, kept in a msg… constant.
			if spec, ok := n.(*ast.ValueSpec); ok {
				for i, name := range spec.Names {
					if strings.HasPrefix(name.Name, "msg") && i < len(spec.Values) {
						if lit, ok := spec.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							if s, err := strconv.Unquote(lit.Value); err == nil {
								used[s] = fset.Position(lit.Pos()).String()
							}
						}
					}
				}
				return true
			}
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			arg := -1
			switch fn := call.Fun.(type) {
			case *ast.SelectorExpr:
				if x, ok := fn.X.(*ast.Ident); ok && x.Name == "pd" && fn.Sel.Name == "Errorf" {
					arg = 1
				} else if ok && x.Name == "pd" && fn.Sel.Name == "Problemf" {
					arg = 3
				} else if fn.Sel.Name == "fail" {
					// A record's problem (ingest.go's checker).
					arg = 1
				} else if fn.Sel.Name == "problem" && len(call.Args) > 3 {
					// A load's problem (store's Ingest).
					arg = 3
				} else if fn.Sel.Name == "Add" && len(call.Args) > 1 && isString(call.Args[0]) {
					// A form field's problem (pd.FieldErrors.Add).
					arg = 1
				} else if fn.Sel.Name == "T" {
					arg = 0
				}
			case *ast.Ident:
				if root && fn.Name == "Errorf" || fn.Name == "notFound" {
					arg = 1
				} else if root && fn.Name == "Problemf" || fn.Name == "rowProblemf" {
					arg = map[string]int{"Problemf": 3, "rowProblemf": 2}[fn.Name]
				}
			}
			if arg < 0 || len(call.Args) <= arg {
				return true
			}
			if lit, ok := call.Args[arg].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					used[s] = fset.Position(lit.Pos()).String()
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return used
}

// TestTemplatesSayNothingOutsideTheCatalog: every word a template writes
// goes through t, and every message it asks for is in every language.
func TestTemplatesSayNothingOutsideTheCatalog(t *testing.T) {
	used := templateKeys(t, true)
	files := readFiles(t)
	for key, where := range used {
		for name, f := range files {
			if _, ok := f.Messages[key]; !ok && !*update {
				t.Errorf("%s: message %q is not in %s", where, key, name)
			}
		}
	}
}

// TestGoMessagesAreInEveryCatalog: the message of every domain error
// (pd.Errorf's format, a msg… constant) is in every language, since the
// pages print it in the user's.
func TestGoMessagesAreInEveryCatalog(t *testing.T) {
	files := readFiles(t)
	for key, where := range goKeys(t) {
		for name, f := range files {
			if _, ok := f.Messages[key]; !ok && !*update {
				t.Errorf("%s: message %q is not in %s", where, key, name)
			}
		}
	}
}

// TestEveryMessageIsUsed keeps the catalogs free of messages nothing asks
// for; with -update it adds new keys to en.json (their English is the
// key) and drops unused ones everywhere.
func TestEveryMessageIsUsed(t *testing.T) {
	inTemplates := templateKeys(t, false)
	used := seen{}
	for k, v := range goKeys(t) {
		used[k] = v
	}
	for k, v := range inTemplates {
		used[k] = v
	}
	files := readFiles(t)
	for name, f := range files {
		var unused []string
		for key := range f.Messages {
			if _, ok := used[key]; !ok {
				unused = append(unused, key)
			}
		}
		sort.Strings(unused)
		if *update {
			for _, k := range unused {
				delete(f.Messages, k)
			}
			if name == "en.json" {
				for k := range used {
					if _, ok := f.Messages[k]; !ok {
						f.Messages[k] = k
					}
				}
			}
			if err := os.WriteFile(name, canonical(f), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for _, k := range unused {
			t.Errorf("%s: %q is used nowhere", name, k)
		}
	}
}
