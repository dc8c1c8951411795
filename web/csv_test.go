package web_test

import (
	"bytes"
	"encoding/csv"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// The Clients table's CSV has every matching client, with the table's
// filters and sort, not only the page on screen.
func TestClientsCSVExportKeepsTheFilters(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		alpha := a.signIn(st.AlphaAdmin)
		page := alpha.get(clientsURL(st.AlphaID) + "?rel=sold&sort=name&size=1")
		href := between(page, `<a href="`+clientsURL(st.AlphaID)+`.csv`, `"`)
		if !strings.Contains(href, "rel=sold") {
			t.Fatalf("the Export CSV link drops the filters: %q", href)
		}
		req, _ := http.NewRequest("GET", a.ts.URL+clientsURL(st.AlphaID)+".csv"+strings.ReplaceAll(href, "&amp;", "&"), nil)
		res, err := alpha.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		rows, err := csv.NewReader(res.Body).ReadAll()
		if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("export: %d %v", res.StatusCode, err)
		}
		var got []string
		for _, r := range rows {
			got = append(got, strings.Join(r, ","))
		}
		want := []string{
			"client,account_id,domain,products,relationship,engagement,usage,mrr,currency",
			"Initech,acct-initech.example,initech.example,Content Professional,sold,6,medium,400.00,USD",
			"Umbrella Co,acct-umbrella.example,umbrella.example,Service Starter,sold,0,low,15.00,USD",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("export\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// upload posts a CSV file of kind to the Import data page.
func (u *user) upload(kind, file string, dry bool) string {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", u.csrf)
	w.WriteField("kind", kind)
	if dry {
		w.WriteField("dry_run", "1")
	}
	fw, _ := w.CreateFormFile("file", kind+".csv")
	fw.Write([]byte(file))
	w.Close()
	req, _ := http.NewRequest("POST", u.a.ts.URL+"/admin/import", &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return u.do(req)
}

// A program admin uploads a CSV file: a bad one is refused whole with
// every bad row, a good one is imported.
func TestImportPage(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/import")
		upload := admin.upload
		body := upload("clients", "id,name,employees\nacct-new,New Co,12\n,Nameless,x\n", false)
		if admin.status != http.StatusUnprocessableEntity || !strings.Contains(body, "<td class=\"num\">3</td><td>employees</td>") ||
			!strings.Contains(body, "Nothing was imported") {
			t.Fatalf("bad file: %d\n%s", admin.status, between(body, `data-testid="report"`, "</section>"))
		}
		body = upload("clients", "id,name,employees\nacct-new,New Co,12\n", true)
		if admin.status != http.StatusOK || !strings.Contains(body, "Dry run") {
			t.Fatalf("dry run: %d", admin.status)
		}
		body = upload("clients", "id,name,employees\nacct-new,New Co,12\n", false)
		if admin.status != http.StatusOK || !strings.Contains(body, "1 created") {
			t.Fatalf("good file: %d\n%s", admin.status, between(body, `data-testid="report"`, "</section>"))
		}
	})
}
