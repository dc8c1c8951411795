package web

import (
	"net/http"
	"slices"
	"strings"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/store"
)

// API tokens, for program admins: list, create (the secret is shown once,
// in the answer to the form, never again), revoke.

type tokensView struct {
	Tokens   []store.Token
	Partners []pd.Partner
	Created  *store.Token
	Secret   string
	Form     struct{ Name, Scope, Partner string }
	Error    string
	Notice   string
}

func (s *Server) tokensView(r *http.Request) (*view, *tokensView, error) {
	ts, err := s.db.ListTokens(r.Context())
	if err != nil {
		return nil, nil, err
	}
	page, err := s.db.ListPartners(r.Context(), pd.PartnerFilter{Limit: 500})
	if err != nil {
		return nil, nil, err
	}
	ps := make([]pd.Partner, len(page.Lines))
	for i, l := range page.Lines {
		ps[i] = l.Partner
	}
	prog, err := s.db.Program(r.Context())
	if err != nil {
		return nil, nil, err
	}
	tv := &tokensView{Tokens: ts, Partners: ps}
	return &view{Program: prog, Nav: "tokens", Data: tv}, tv, nil
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) error {
	v, tv, err := s.tokensView(r)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("notice") == "revoked" {
		tv.Notice = "revoked"
	}
	s.render(w, r, "tokens", v)
	return nil
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request) error {
	nt := store.NewToken{Name: r.PostFormValue("name"), Scope: pd.TokenScope(r.PostFormValue("scope")),
		PartnerExternalID: strings.TrimSpace(r.PostFormValue("partner"))}
	if nt.Scope == pd.ScopeIngest {
		nt.PartnerExternalID = ""
	}
	tok, secret, err := s.db.CreateToken(r.Context(), nt)
	code := pd.ErrorCode(err)
	if err != nil && code != pd.EInvalid && code != pd.ENotFound {
		return err
	}
	v, tv, verr := s.tokensView(r)
	if verr != nil {
		return verr
	}
	tv.Form.Name, tv.Form.Scope, tv.Form.Partner = nt.Name, string(nt.Scope), nt.PartnerExternalID
	if err != nil {
		tv.Error = s.errorText(r, err)
		w.WriteHeader(status(code))
	} else {
		tv.Created, tv.Secret = tok, secret
		tv.Form.Name, tv.Form.Scope, tv.Form.Partner = "", "", ""
	}
	s.render(w, r, "tokens", v)
	return nil
}

// revokeToken revokes a token once confirmed: the page's script asks in
// a dialog and sends confirm=yes; without it, the first post shows a
// confirmation page that changes nothing.
func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id := pathID(r, "token")
	if id == 0 {
		return pd.Errorf(pd.ENotFound, "Token not found.")
	}
	if r.PostFormValue("confirm") != "yes" {
		v, tv, err := s.tokensView(r)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(tv.Tokens, func(t store.Token) bool { return t.ID == id && t.RevokedAt == nil })
		if i < 0 {
			return pd.Errorf(pd.ENotFound, "No active token has the id %d.", id)
		}
		v.Data = &tv.Tokens[i]
		s.render(w, r, "token_revoke", v)
		return nil
	}
	if err := s.db.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/tokens?notice=revoked", http.StatusSeeOther)
	return nil
}
