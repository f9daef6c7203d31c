package main

import _ "embed"

// execCredentialScript is a copy of exec-credential.sh, written to the state
// dir when --exec-plugin is not given.
//
//go:embed exec-credential.sh
var execCredentialScript []byte

//go:embed seed.yaml
var seedYAML string
