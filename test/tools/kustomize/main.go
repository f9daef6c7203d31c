// kustomize for the tests: `kustomize build <dir>`, built from the kustomize Go
// modules (sigs.k8s.io/kustomize/api's krusty, what the kustomize CLI runs), so
// that the extension's kustomize support is tested against the real thing.
package main

import (
	"fmt"
	"os"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

func main() {
	if len(os.Args) == 2 && os.Args[1] == "version" {
		fmt.Println("kustomize (kube-workbench test build of sigs.k8s.io/kustomize/api)")
		return
	}
	if len(os.Args) != 3 || os.Args[1] != "build" {
		fmt.Fprintln(os.Stderr, "usage: kustomize build DIR")
		os.Exit(2)
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	resources, err := k.Run(filesys.MakeFsOnDisk(), os.Args[2])
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
	out, err := resources.AsYaml()
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error: %v\n", err)
		os.Exit(1)
	}
	os.Stdout.Write(out)
}
