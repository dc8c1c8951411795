package web

import (
	"errors"
	"fmt"
	"net/http"

	pd "github.com/partnerdesk/partnerdesk"
	"github.com/partnerdesk/partnerdesk/password"
	"github.com/partnerdesk/partnerdesk/store"
)

// An invitation's public page, where the invitee sets its password and is
// signed in. The link is checked before the password is hashed, and used
// up as the password is stored, once only.

type invitationPage struct {
	Token  string
	Notice *pd.InvitationNotice
	// Problem, for the template's words: "gone" (used, expired or never
	// was), "busy"; Error is the password policy's message.
	Problem string
	Error   string
}

func (s *Server) invitationForm(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	n, err := s.db.InvitationLink(r.Context(), token)
	if pd.ErrorCode(err) == pd.ENotFound {
		w.WriteHeader(http.StatusNotFound)
		s.render(w, r, "invite", &invitationPage{Problem: "gone"})
		return nil
	} else if err != nil {
		return err
	}
	s.render(w, r, "invite", &invitationPage{Token: token, Notice: n})
	return nil
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	refuse := func(status int, page *invitationPage) error {
		w.WriteHeader(status)
		s.render(w, r, "invite", page)
		return nil
	}
	n, err := s.db.InvitationLink(r.Context(), token)
	if pd.ErrorCode(err) == pd.ENotFound {
		return refuse(http.StatusNotFound, &invitationPage{Problem: "gone"})
	} else if err != nil {
		return err
	}
	page := &invitationPage{Token: token, Notice: n}
	hash, err := s.hashing.New(r.Context(), r.PostFormValue("password"))
	switch {
	case errors.Is(err, password.ErrBusy):
		w.Header().Set("Retry-After", fmt.Sprint(int(busyRetryAfter.Seconds())))
		page.Problem = "busy"
		return refuse(http.StatusServiceUnavailable, page)
	case pd.ErrorCode(err) == pd.EInvalid:
		page.Error = s.errorText(r, err)
		return refuse(http.StatusBadRequest, page)
	case err != nil:
		return err
	}
	id, err := s.db.AcceptInvitation(r.Context(), token, hash)
	if pd.ErrorCode(err) == pd.ENotFound {
		return refuse(http.StatusNotFound, &invitationPage{Problem: "gone"})
	} else if err != nil {
		return err
	}
	return s.startSession(w, r, id, store.SignInPassword, "/")
}
