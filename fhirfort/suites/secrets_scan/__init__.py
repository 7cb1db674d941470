"""`make secrets-scan`: detect-secrets over the repository history, build/, the mocked Pulumi state and the lab
hosts, plus file-mode checks of the intentional secret stores, proven by a planted canary."""
