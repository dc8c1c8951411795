package web

import (
	"net/http"

	"github.com/partnerdesk/partnerdesk/store"
)

// Access says who may reach a route.
type Access int

const (
	Public  Access = iota // anyone
	Signed                // any signed-in user
	Partner               // the {partner} in the path, as its users or permitted staff
	Staff                 // vendor staff
	API                   // an API token (Authorization: Bearer), never a cookie: read scope for GET, ingest scope for writes
	Webhook               // a signed webhook delivery (the handler checks the signature); no cookie, no CSRF
)

// Route is one line of the routes table. Every route the server answers is
// here, so that tests can walk them all.
type Route struct {
	Method  string
	Pattern string
	Access  Access
	Handler func(http.ResponseWriter, *http.Request) error
	// MaxBody is the largest request body the route reads: a larger one
	// is refused (413) before anything of it is parsed or stored.
	MaxBody int64
}

// Request body limits, one per kind of route.
const (
	// smallBody bounds a page request and a small form (sign-in, settings,
	// a renewal decision with its note).
	smallBody = 16 << 10
	// batchBody bounds an API request: 10,000 records of any kind fit.
	batchBody = 16 << 20
	// webhookBody bounds a webhook delivery: a Stripe event is a few KB.
	webhookBody = 1 << 20
	// uploadBody bounds a CSV upload on the import page; larger files go
	// through the command line's import, which reads them from disk.
	uploadBody = 64 << 20
)

// Routes lists every registered route (for tests and docs).
func (s *Server) Routes() []Route { return s.routes() }

func (s *Server) routes() []Route {
	return []Route{
		{"GET", "/healthz", Public, s.health, smallBody},
		{"GET", "/readyz", Public, s.ready, smallBody},
		{"GET", "/login", Public, s.loginForm, smallBody},
		{"POST", "/login", Public, s.login, smallBody},
		{"POST", "/logout", Signed, s.logout, smallBody},
		{"POST", "/logout/everywhere", Signed, s.logoutEverywhere, smallBody},
		{"GET", "/{$}", Signed, s.home, smallBody},

		// Accounts (password_reset.go, invitation.go, account.go,
		// people.go): the public pages of the links sent by email, the
		// signed-in user's own account, and the users pages.
		{"GET", "/password/forgot", Public, s.forgotForm, smallBody},
		{"POST", "/password/forgot", Public, s.forgotPassword, smallBody},
		{"GET", "/password/reset/{token}", Public, s.resetForm, smallBody},
		{"POST", "/password/reset/{token}", Public, s.resetPassword, smallBody},
		{"GET", "/invite/{token}", Public, s.invitationForm, smallBody},
		{"POST", "/invite/{token}", Public, s.acceptInvitation, smallBody},
		{"GET", "/account", Signed, s.accountPage, smallBody},
		{"POST", "/account/language", Signed, s.saveAccountLanguage, smallBody},
		{"POST", "/language", Public, s.setLanguage, smallBody},
		{"POST", "/account/name", Signed, s.saveAccountName, smallBody},
		{"POST", "/account/password", Signed, s.changePassword, smallBody},
		{"POST", "/account/digest", Signed, s.setDigestEmails, smallBody},
		{"POST", "/account/sessions/revoke", Signed, s.revokeSession, smallBody},
		{"POST", "/account/sessions/revoke-others", Signed, s.revokeOtherSessions, smallBody},
		{"GET", "/partners/{partner}/users", Partner, s.usersPage, smallBody},
		{"POST", "/partners/{partner}/users", Partner, s.inviteUser, smallBody},
		{"POST", "/partners/{partner}/users/{user}/resend", Partner, s.resendInvitation, smallBody},
		{"POST", "/partners/{partner}/users/{user}/role", Partner, s.setUserRole, smallBody},
		{"POST", "/partners/{partner}/users/{user}/deactivate", Partner, s.deactivateUser, smallBody},
		{"POST", "/partners/{partner}/users/{user}/reactivate", Partner, s.reactivateUser, smallBody},
		{"GET", "/admin/users", Staff, s.usersPage, smallBody},
		{"POST", "/admin/users", Staff, s.inviteUser, smallBody},
		{"POST", "/admin/users/{user}/resend", Staff, s.resendInvitation, smallBody},
		{"POST", "/admin/users/{user}/role", Staff, s.setUserRole, smallBody},
		{"POST", "/admin/users/{user}/deactivate", Staff, s.deactivateUser, smallBody},
		{"POST", "/admin/users/{user}/reactivate", Staff, s.reactivateUser, smallBody},
		{"GET", "/admin/outbox", Staff, s.outboxPage, smallBody},
		{"GET", "/admin/outbox/{message}", Staff, s.outboxMessage, smallBody},
		{"GET", "/admin/stripe", Staff, s.stripePage, smallBody},
		{"POST", "/admin/stripe/rates", Staff, s.saveCurrencyRates, smallBody},

		{"GET", "/partners/{partner}/clients", Partner, s.clientsPage, smallBody},
		{"GET", "/partners/{partner}/clients/{client}", Partner, s.clientPanel, smallBody},
		{"POST", "/partners/{partner}/clients/assign", Partner, s.assignClients, smallBody},
		{"GET", "/partners/{partner}/clients/{client}/end-services", Partner, s.endServicesForm, smallBody},
		{"POST", "/partners/{partner}/clients/{client}/end-services", Partner, s.endServices, smallBody},
		{"GET", "/partners/{partner}/audit", Partner, s.auditPage, smallBody},

		// Renewals, the platform engagement index and the Team tab
		// (renewals.go, engagement.go, team.go, admin_staff.go).
		{"GET", "/partners/{partner}/renewals", Partner, s.renewalsPage, smallBody},
		{"GET", "/partners/{partner}/renewals/{renewal}", Partner, s.renewalPage, smallBody},
		{"POST", "/partners/{partner}/renewals/{renewal}/decision", Partner, s.renewalDecision, smallBody},
		{"POST", "/partners/{partner}/renewals/{renewal}/owner", Partner, s.renewalOwner, smallBody},
		{"POST", "/partners/{partner}/renewals/{renewal}/contact", Partner, s.renewalContact, smallBody},
		{"GET", "/partners/{partner}/engagement", Partner, s.engagementPage, smallBody},

		// Confirmation links and their public page (confirmation.go).
		{"GET", "/partners/{partner}/confirmation-links", Partner, s.linksPage, smallBody},
		{"POST", "/partners/{partner}/confirmation-links", Partner, s.createLink, smallBody},
		{"POST", "/partners/{partner}/confirmation-links/{link}/cancel", Partner, s.cancelLink, smallBody},
		{"GET", "/confirm/{token}", Public, s.confirmPage, smallBody},
		{"POST", "/confirm/{token}", Public, s.answerLink, smallBody},

		{"GET", "/partners/{partner}/team", Partner, s.teamPage, smallBody},
		{"GET", "/admin/staff", Staff, s.staffPage, smallBody},
		{"POST", "/admin/staff", Staff, s.createStaff, smallBody},
		{"GET", "/admin/staff/{staff}", Staff, s.staffForm, smallBody},
		{"POST", "/admin/staff/{staff}", Staff, s.saveStaff, smallBody},
		{"GET", "/admin/partners/{partner}/team", Staff, s.teamForm, smallBody},
		{"POST", "/admin/partners/{partner}/team", Staff, s.assignTeam, smallBody},

		// The program's partners and audit log (admin_partners.go,
		// admin_partner.go, admin_audit.go): the list for vendor staff,
		// the rest for program admins.
		{"GET", "/admin/partners", Staff, s.partnersPage, smallBody},
		{"GET", "/admin/partners.csv", Staff, s.partnersCSV, smallBody},
		{"GET", "/admin/partners/new", Staff, s.newPartnerForm, smallBody},
		{"POST", "/admin/partners", Staff, s.createPartner, smallBody},
		{"GET", "/admin/partners/{partner}", Staff, s.partnerAdminPage, smallBody},
		{"GET", "/admin/partners/{partner}/edit", Staff, s.editPartnerForm, smallBody},
		{"POST", "/admin/partners/{partner}/edit", Staff, s.savePartner, smallBody},
		{"POST", "/admin/partners/{partner}/deactivate", Staff, s.deactivatePartner, smallBody},
		{"POST", "/admin/partners/{partner}/reactivate", Staff, s.reactivatePartner, smallBody},
		{"POST", "/admin/partners/{partner}/invitation", Staff, s.setInvitation, smallBody},
		{"GET", "/admin/partners/{partner}/tier", Staff, s.partnerTierForm, smallBody},
		{"POST", "/admin/partners/{partner}/tier", Staff, s.assignTier, smallBody},
		{"GET", "/admin/audit", Staff, s.programAuditPage, smallBody},
		{"GET", "/admin/audit.csv", Staff, s.programAuditCSV, smallBody},
		{"GET", "/admin/book", Staff, s.bookPage, smallBody},

		// The tier rules with their preview, and the certifications
		// (admin_tiers.go, admin_certifications.go).
		{"GET", "/admin/tiers", Staff, s.tiersPage, smallBody},
		{"POST", "/admin/tiers", Staff, s.saveTiers, smallBody},
		{"POST", "/admin/tiers/preview", Staff, s.previewTiers, smallBody},
		{"GET", "/admin/tiers/preview.csv", Staff, s.tiersPreviewCSV, smallBody},
		{"POST", "/admin/tiers/cancel", Staff, s.cancelTiers, smallBody},
		{"GET", "/admin/certifications", Staff, s.certificationsPage, smallBody},
		{"POST", "/admin/certifications", Staff, s.createCertification, smallBody},
		{"GET", "/admin/certifications/{certification}", Staff, s.certificationForm, smallBody},
		{"POST", "/admin/certifications/{certification}", Staff, s.saveCertification, smallBody},
		{"POST", "/admin/certifications/{certification}/revoke", Staff, s.revokeCertification, smallBody},
		{"GET", "/admin/program", Staff, s.programForm, smallBody},
		{"POST", "/admin/program", Staff, s.saveProgram, smallBody},

		// Two-factor sign-in and single sign-on (signin_twofactor.go,
		// account_twofactor.go, sso.go, admin_signin.go).
		{"GET", "/login/two-factor", Public, s.secondStepForm, smallBody},
		{"POST", "/login/two-factor", Public, s.secondStep, smallBody},
		{"GET", "/oidc/login", Public, s.ssoLogin, smallBody},
		{"GET", "/oidc/callback", Public, s.ssoCallback, smallBody},
		{"GET", "/account/two-factor", Signed, s.twoFactorForm, smallBody},
		{"POST", "/account/two-factor/setup", Signed, s.setUpTwoFactor, smallBody},
		{"POST", "/account/two-factor/confirm", Signed, s.confirmTwoFactor, smallBody},
		{"POST", "/account/two-factor/recovery-codes", Signed, s.replaceRecoveryCodes, smallBody},
		{"POST", "/account/two-factor/disable", Signed, s.disableTwoFactor, smallBody},
		{"POST", "/admin/program/sign-in", Staff, s.saveSignInSettings, smallBody},

		// The public directory (directory.go) and the partner's profile,
		// leads and the vendor's approval queue (profile.go).
		{"GET", "/directory", Public, s.directoryPage, smallBody},
		{"GET", "/directory/{slug}", Public, s.profilePage, smallBody},
		{"POST", "/directory/{slug}/contact", Public, s.sendLead, smallBody},
		{"GET", "/sitemap.xml", Public, s.sitemap, smallBody},
		{"GET", "/partners/{partner}/profile", Partner, s.profileForm, smallBody},
		{"POST", "/partners/{partner}/profile", Partner, s.saveProfile, smallBody},
		{"POST", "/partners/{partner}/profile/withdraw", Partner, s.withdrawOwnProfile, smallBody},
		{"GET", "/partners/{partner}/leads", Partner, s.leadsPage, smallBody},
		{"POST", "/partners/{partner}/leads/{lead}/status", Partner, s.setLeadStatus, smallBody},
		{"GET", "/admin/directory", Staff, s.profileQueue, smallBody},
		{"POST", "/admin/directory/{partner}", Staff, s.reviewProfile, smallBody},
		{"POST", "/admin/program/directory", Staff, s.saveDirectorySettings, smallBody},

		// The Tier tab, its CSV lists and its API (tier.go, tier_csv.go,
		// tier_api.go): all read the daily refresh's snapshot.
		{"GET", "/partners/{partner}/tier", Partner, s.tierPage, smallBody},
		{"GET", "/partners/{partner}/tier.csv", Partner, s.tierCSV, smallBody},
		{"GET", "/api/v1/partners/{partner}/tier", API, s.apiTier, smallBody},
		{"GET", "/api/v1/partners/{partner}/credit", API, s.apiCredit, smallBody},
		{"GET", "/api/v1/partners/{partner}/confirmation-links", API, s.apiLinks, smallBody},
		{"POST", "/api/v1/partners/{partner}/confirmation-links", API, s.apiCreateLink, smallBody},

		// Data in and out: the REST API (api.go, described by openapi.json),
		// CSV export and import, API tokens, the Stripe webhook (stripe.go).
		{"GET", "/api/v1/openapi.json", Public, s.openapiDoc, smallBody},
		{"GET", "/api/v1/partners/{partner}", API, s.apiPartner, smallBody},
		{"GET", "/api/v1/partners/{partner}/clients", API, s.apiClients, smallBody},
		{"GET", "/api/v1/partners/{partner}/clients/{client}", API, s.apiClient, smallBody},
		{"POST", "/api/v1/partners", API, ingestHandler(s, (*store.Ingest).Partners), batchBody},
		{"POST", "/api/v1/staff", API, ingestHandler(s, (*store.Ingest).Staff), batchBody},
		{"POST", "/api/v1/certifications", API, ingestHandler(s, (*store.Ingest).Certifications), batchBody},
		{"POST", "/api/v1/clients", API, ingestHandler(s, (*store.Ingest).Clients), batchBody},
		{"POST", "/api/v1/relationships", API, ingestHandler(s, (*store.Ingest).Relationships), batchBody},
		{"POST", "/api/v1/subscription-lines", API, ingestHandler(s, (*store.Ingest).SubscriptionLines), batchBody},
		{"POST", "/api/v1/billing-events", API, ingestHandler(s, (*store.Ingest).BillingEvents), batchBody},
		{"POST", "/api/v1/usage", API, ingestHandler(s, (*store.Ingest).Usage), batchBody},
		{"POST", "/api/v1/activity", API, ingestHandler(s, (*store.Ingest).Activity), batchBody},
		{"POST", "/api/v1/renewals", API, ingestHandler(s, (*store.Ingest).Renewals), batchBody},
		{"POST", "/webhooks/stripe", Webhook, s.stripeWebhook, webhookBody},
		{"GET", "/partners/{partner}/clients.csv", Partner, s.clientsCSV, smallBody},
		{"GET", "/admin/tokens", Staff, s.tokensPage, smallBody},
		{"POST", "/admin/tokens", Staff, s.createToken, smallBody},
		{"POST", "/admin/tokens/{token}/revoke", Staff, s.revokeToken, smallBody},
		{"GET", "/admin/import", Staff, s.importPage, smallBody},
		{"POST", "/admin/import", Staff, s.importUpload, uploadBody},
	}
}
