package web_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	st "github.com/partnerdesk/partnerdesk/store/storetest"
	"github.com/partnerdesk/partnerdesk/web"
)

// Nothing a client sends makes a 500: each decoder of client input is
// fuzzed through the whole server, on SQLite with the fixture. The seed
// corpora are in testdata/fuzz and run with every go test.

func fuzzServer(f *testing.F) *web.Server {
	db := st.OpenSQLite(f, st.Clock)
	st.Load(f, db)
	srv, err := web.New(db, web.Config{StripeWebhookSecret: whsec}, slog.New(slog.NewTextHandler(io.Discard, nil)), st.Clock)
	if err != nil {
		f.Fatal(err)
	}
	return srv
}

// serveJSON sends a request and checks that the answer is not a 500 and,
// if an error, a JSON one with a code.
func serveJSON(t *testing.T, srv *web.Server, req *http.Request) {
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s: %d %s", req.Method, req.URL, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var e struct{ Code, Message string }
		if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Code == "" || e.Message == "" {
			t.Fatalf("%s %s: %d with a body that is not a JSON error: %q", req.Method, req.URL, rec.Code, rec.Body)
		}
	}
}

var ingestKinds = []string{"partners", "staff", "certifications", "clients", "relationships", "subscription-lines", "billing-events", "usage", "renewals"}

func FuzzIngestBody(f *testing.F) {
	srv := fuzzServer(f)
	f.Fuzz(func(t *testing.T, kind uint8, body []byte) {
		req := httptest.NewRequest("POST", "/api/v1/"+ingestKinds[int(kind)%len(ingestKinds)]+"?dry_run=true", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+st.IngestToken)
		serveJSON(t, srv, req)
	})
}

func FuzzClientsQuery(f *testing.F) {
	srv := fuzzServer(f)
	f.Fuzz(func(t *testing.T, query string) {
		req := httptest.NewRequest("GET", "/api/v1/partners/1/clients", nil)
		req.URL.RawQuery = query
		req.Header.Set("Authorization", "Bearer "+st.AlphaToken)
		serveJSON(t, srv, req)
	})
}

func FuzzStripeWebhook(f *testing.F) {
	srv := fuzzServer(f)
	f.Fuzz(func(t *testing.T, payload []byte, signed bool) {
		req := httptest.NewRequest("POST", "/webhooks/stripe", strings.NewReader(string(payload)))
		if signed {
			p := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: payload, Secret: whsec, Timestamp: time.Now()})
			req.Header.Set("Stripe-Signature", p.Header)
		} else {
			req.Header.Set("Stripe-Signature", fmt.Sprintf("t=%d,v1=%x", time.Now().Unix(), payload))
		}
		serveJSON(t, srv, req)
	})
}
