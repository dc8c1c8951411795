package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"testing"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// No request leaves a file in TMPDIR, signed in or not: a body over its
// route's limit is refused with 413 before it is parsed, whether it
// declares its length or not, and a CSV upload within its limit is read
// without a temporary file.
func TestRequestBodiesAreCappedAndLeaveNoTemporaryFile(t *testing.T) {
	st.Each(t, func(t *testing.T, e st.Engine) {
		a := newApp(t, e, web.Config{})
		admin := a.signIn(st.AdminEmail)
		admin.get("/admin/import")
		anon := a.anon()
		anon.get("/login")
		anon.csrf = anon.cookie("pd_csrf")
		var uploadLimit int64
		for _, rt := range a.srv.Routes() {
			if rt.Method == "POST" && rt.Pattern == "/admin/import" {
				uploadLimit = rt.MaxBody
			}
		}
		if uploadLimit < 40<<20 {
			t.Fatalf("the CSV upload takes %d bytes, less than this test's 40 MB file", uploadLimit)
		}
		// Set after the database's folder was made, which is in TMPDIR.
		tmp := t.TempDir()
		t.Setenv("TMPDIR", tmp)

		for _, c := range []struct {
			name   string
			u      *user
			path   string
			file   string
			size   int64
			status int
		}{
			{"sign-in form with a 40 MB file", anon, "/login", "", 40 << 20, http.StatusRequestEntityTooLarge},
			{"CSV upload over its limit", admin, "/admin/import", "", uploadLimit + 1<<20, http.StatusRequestEntityTooLarge},
			// Within the limit: its header line is read (and refused).
			{"CSV upload of 40 MB", admin, "/admin/import", "", 40 << 20, http.StatusUnprocessableEntity},
			{"CSV upload of a good file", admin, "/admin/import", "id,name,employees\nacct-new,New Co,12\n", 0, http.StatusOK},
		} {
			for _, chunked := range []bool{false, true} {
				status, err := postFile(c.u, c.path, c.file, c.size, chunked)
				if err != nil {
					t.Fatalf("%s (chunked %v): %v", c.name, chunked, err)
				}
				if status != c.status {
					t.Errorf("%s (chunked %v): status %d, want %d", c.name, chunked, status, c.status)
				}
				if left, _ := os.ReadDir(tmp); len(left) > 0 {
					t.Errorf("%s (chunked %v): %d file(s) left in TMPDIR, such as %s", c.name, chunked, len(left), left[0].Name())
					for _, f := range left {
						os.RemoveAll(tmp + "/" + f.Name())
					}
				}
			}
		}
	})
}

// postFile posts a multipart form with u's CSRF token, the clients kind
// and a file part: file, or else size bytes of "a". chunked sends it
// without a Content-Length.
func postFile(u *user, path, file string, size int64, chunked bool) (int, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	w.WriteField("csrf", u.csrf)
	w.WriteField("kind", "clients")
	fw, _ := w.CreateFormFile("file", "clients.csv")
	if file != "" {
		fw.Write([]byte(file))
	} else {
		fw.Write(bytes.Repeat([]byte("a"), int(size)))
	}
	w.Close()
	var body io.Reader = &b
	if chunked {
		body = struct{ io.Reader }{&b}
	}
	req, _ := http.NewRequest("POST", u.a.ts.URL+path, body)
	req.Header.Set("Content-Type", w.FormDataContentType())
	res, err := u.c.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	if res.StatusCode == http.StatusInternalServerError {
		return res.StatusCode, fmt.Errorf("500: %s", msg)
	}
	return res.StatusCode, nil
}
