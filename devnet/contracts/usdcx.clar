;; usdcx: the devnet stand-in for USDCx, deployed at the testnet contract id.
;; A plain SIP-010 fungible token with 6 decimals (micro-USDCx). Only the deployer can mint, so
;; the devnet funds its accounts at start and nobody else can create tokens.

(define-fungible-token usdcx-token)

(define-constant token-deployer tx-sender)

;; SIP-010 callers only see these codes; ft-transfer? adds u1 (balance too low),
;; u2 (sender is recipient) and u3 (amount is zero).
(define-constant err-sender-not-caller (err u4))
(define-constant err-not-deployer (err u401))

(define-public (transfer
    (amount uint)
    (sender principal)
    (recipient principal)
    (memo (optional (buff 34)))
  )
  (begin
    (asserts! (is-eq tx-sender sender) err-sender-not-caller)
    (try! (ft-transfer? usdcx-token amount sender recipient))
    ;; Payments carry their reference in the memo; printing it puts it in the tx events.
    (match memo reference (print reference) 0x)
    (ok true)
  )
)

(define-public (mint (amount uint) (recipient principal))
  (begin
    (asserts! (is-eq tx-sender token-deployer) err-not-deployer)
    (ft-mint? usdcx-token amount recipient)
  )
)

(define-read-only (get-name) (ok "USDCx"))

(define-read-only (get-symbol) (ok "USDCx"))

(define-read-only (get-decimals) (ok u6))

(define-read-only (get-balance (who principal))
  (ok (ft-get-balance usdcx-token who))
)

(define-read-only (get-total-supply) (ok (ft-get-supply usdcx-token)))

(define-read-only (get-token-uri) (ok none))
