package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	pd "github.com/partnerdesk/partnerdesk"
	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// compileDoc compiles a schema of openapi.json by its JSON pointer.
func compileDoc(t *testing.T, pointer string) *jsonschema.Schema {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("urn:test:openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("urn:test:openapi.json#" + pointer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The document's URL patterns and the records' Go check accept the same
// URLs: links are absolute http(s), images https or a path on this site.
func TestURLSchemaAndCheckAgree(t *testing.T) {
	fields := []struct {
		pointer string
		image   bool
	}{
		{"/components/schemas/PartnerRecord/properties/website", false},
		{"/components/schemas/PartnerRecord/properties/crm_link_template", false},
		{"/components/schemas/ClientRecord/properties/account_url", false},
		{"/components/schemas/StaffRecord/properties/photo_url", true},
	}
	cases := []struct {
		v           string
		link, image bool
	}{
		{"", true, true},
		{"https://example.com", true, true},
		{"https://example.com/a/b?c=d#e", true, true},
		{"http://example.com/", true, false},
		{"https://{slug}.crm.example/accounts/{account_id}", true, true},
		{"https://bücher.example/é", true, true},
		{"/static/photo.png", false, true},
		{"/", false, true},
		{"//evil.example/x.png", false, false},
		{"/\\evil.example/x.png", false, false},
		{"https:///path", false, false},
		{"https://?q", false, false},
		{"https://#f", false, false},
		{"https://", false, false},
		{"javascript:alert(1)", false, false},
		{"JavaScript:alert(1)", false, false},
		{" javascript:alert(1)", false, false},
		{"data:image/png;base64,AAAA", false, false},
		{"vbscript:msgbox", false, false},
		{"HTTPS://example.com", false, false},
		{"ftp://example.com", false, false},
		{"example.com", false, false},
		{"https://example.com/a b", false, false},
		{" https://example.com", false, false},
		{"https://example.com\n", false, false},
		{"https://exa\tmple.com", false, false},
		{"https://example.com\x00", false, false},
		{"https://example.com\x7f", false, false},
		{"https:\\\\example.com", false, false},
		{"https://example.com\\x", false, false},
		{"java\nscript:alert(1)", false, false},
	}
	for _, f := range fields {
		sch := compileDoc(t, f.pointer)
		for _, c := range cases {
			want, check := c.link, pd.IsLink
			if f.image {
				want, check = c.image, pd.IsImageURL
			}
			if got := c.v == "" || check(c.v); got != want {
				t.Errorf("%s: Go check of %q: %v, want %v", f.pointer, c.v, got, want)
			}
			if got := sch.Validate(c.v) == nil; got != want {
				t.Errorf("%s: schema on %q: %v, want %v", f.pointer, c.v, got, want)
			}
		}
	}
}

// A javascript: (or other non-http) URL is refused alike by the API, the
// CSV upload and the staff form; what one accepts, the others accept.
func TestURLsAreRefusedAlikeOnEveryDoor(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		in := a.bearer(st.IngestToken)
		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/import")
		staff := func(photo string) (api, csv string) {
			return fmt.Sprintf(`{"records":[{"id":"st-x","name":"X","email":"x@vendor.test","role":"partner_manager","photo_url":%q}]}`, photo),
				"id,name,email,role,photo_url\nst-x,X,x@vendor.test,partner_manager," + photo + "\n"
		}
		cases := []struct {
			kind, api, csv, field string
		}{
			{"partners", `{"records":[{"id":"p-x","name":"X","website":"javascript:alert(1)"}]}`, "id,name,website\np-x,X,javascript:alert(1)\n", "website"},
			{"partners", `{"records":[{"id":"p-x","name":"X","crm_link_template":"data:text/html,hi"}]}`, "id,name,crm_link_template\np-x,X,data:text/html\n", "crm_link_template"},
			{"clients", `{"records":[{"id":"acct-x","name":"X","account_url":"vbscript:x"}]}`, "id,name,account_url\nacct-x,X,vbscript:x\n", "account_url"},
		}
		for _, photo := range []string{"javascript:alert(1)", "http://photos.example/x.jpg", "//evil.example/x.png"} {
			api, csv := staff(photo)
			cases = append(cases, struct{ kind, api, csv, field string }{"staff", api, csv, "photo_url"})
		}
		for _, c := range cases {
			r := in.ingest(c.kind, c.api)
			if in.status != http.StatusUnprocessableEntity || len(r.Problems) != 1 || r.Problems[0].Index != 0 || r.Problems[0].Field != c.field {
				t.Errorf("API %s: %d %+v", c.api, in.status, r.Problems)
			}
			body := admin.upload(c.kind, c.csv, true)
			if admin.status != http.StatusUnprocessableEntity || !strings.Contains(body, `<td class="num">2</td><td>`+c.field+`</td>`) {
				t.Errorf("CSV %q: %d\n%s", c.csv, admin.status, between(body, `data-testid="report"`, "</section>"))
			}
		}
		form := url.Values{"name": {"Petra Pereira"}, "email": {"petra@vendor.test"}}
		for _, photo := range []string{"javascript:alert(1)", "http://photos.example/x.jpg", "/\\evil.example/x.png"} {
			form.Set("photo_url", photo)
			if admin.post(fmt.Sprintf("/admin/staff/%d", st.Petra), form); admin.status != http.StatusBadRequest {
				t.Errorf("staff form, photo %q: %d", photo, admin.status)
			}
		}
		// A photo on this site is fine on every door.
		api, csv := staff("/static/x.png")
		if r := in.ingest("staff", api); in.status != http.StatusOK || r.Created != 1 {
			t.Errorf("API, a photo on this site: %d %+v", in.status, r)
		}
		if admin.upload("staff", csv, true); admin.status != http.StatusOK {
			t.Errorf("CSV, a photo on this site: %d", admin.status)
		}
		form.Set("photo_url", "/static/x.png")
		if admin.post(fmt.Sprintf("/admin/staff/%d", st.Petra), form); admin.status != http.StatusSeeOther {
			t.Errorf("staff form, a photo on this site: %d", admin.status)
		}
	})
}

// The document's pattern for a partner's country accepts every code the
// Go check does: two capitals (the check also wants an assigned code).
func TestCountrySchemaAndCheckAgree(t *testing.T) {
	sch := compileDoc(t, "/components/schemas/PartnerRecord/properties/country")
	for v, shape := range map[string]bool{"": true, "FR": true, "US": true, "ZZ": true, "fr": false, "France": false, "F": false, "F R": false} {
		if got := sch.Validate(v) == nil; got != shape {
			t.Errorf("schema on %q: %v, want %v", v, got, shape)
		}
		if (v == "" || pd.IsCountry(v)) && !shape {
			t.Errorf("the Go check accepts %q, which the schema refuses", v)
		}
	}
}
