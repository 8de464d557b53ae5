// Command envtest-helper does for test/envtest/envtest.ts what Node cannot:
//
//	envtest-helper pki DIR                   writes a CA, serving cert, service-account key pair and
//	                                         admin client cert (Node's crypto cannot make X.509 certs)
//	envtest-helper client-cert DIR USER [G]  prints {"cert","key"} JSON for a client cert from DIR's CA
//	envtest-helper exec BIN [ARG...]         runs BIN so that it is killed when its parent dies
package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Certificates only need to outlive a test run; the back-dating absorbs clock skew.
const validity = 365 * 24 * time.Hour

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "envtest-helper:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 2 && args[0] == "pki":
		return initPKI(args[1])
	case len(args) >= 3 && args[0] == "client-cert":
		return printClient(args[1], args[2], args[3:])
	case len(args) >= 2 && args[0] == "exec":
		return execTiedToParent(args[1], args[2:])
	}
	return errors.New("usage: envtest-helper pki DIR | client-cert DIR USER [GROUP...] | exec BIN [ARG...]")
}

func initPKI(dir string) error {
	caKey, err := newKey()
	if err != nil {
		return err
	}
	caTmpl := template("yunshu-envtest-ca", nil)
	caTmpl.IsCA = true
	caTmpl.BasicConstraintsValid = true
	caTmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}

	serving := template("kube-apiserver", nil)
	serving.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	serving.DNSNames = []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"}
	// 10.0.0.1 is the kubernetes Service IP in the 10.0.0.0/24 service range the server is given.
	serving.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback, net.IPv4(10, 0, 0, 1)}
	servingCert, servingKey, err := issue(serving, ca, caKey)
	if err != nil {
		return err
	}
	adminCert, adminKey, err := issue(clientTemplate("yunshu-admin", []string{"system:masters"}), ca, caKey)
	if err != nil {
		return err
	}
	saKey, err := newKey()
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return err
	}

	files := map[string][]byte{
		"ca.crt":        pemBlock("CERTIFICATE", caDER),
		"ca.key":        mustKeyPEM(caKey),
		"apiserver.crt": servingCert,
		"apiserver.key": servingKey,
		"admin.crt":     adminCert,
		"admin.key":     adminKey,
		"sa.key":        mustKeyPEM(saKey),
		"sa.pub":        pemBlock("PUBLIC KEY", saPub),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func printClient(dir, user string, groups []string) error {
	ca, caKey, err := loadCA(dir)
	if err != nil {
		return err
	}
	cert, key, err := issue(clientTemplate(user, groups), ca, caKey)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]string{"cert": string(cert), "key": string(key)})
}

func loadCA(dir string) (*x509.Certificate, crypto.Signer, error) {
	certPEM, err := os.ReadFile(filepath.Join(dir, "ca.crt"))
	if err != nil {
		return nil, nil, err
	}
	keyPEM, err := os.ReadFile(filepath.Join(dir, "ca.key"))
	if err != nil {
		return nil, nil, err
	}
	certBlock, _ := pem.Decode(certPEM)
	keyBlock, _ := pem.Decode(keyPEM)
	if certBlock == nil || keyBlock == nil {
		return nil, nil, errors.New("ca.crt or ca.key is not PEM")
	}
	ca, err := x509.ParseCertificate(certBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	key, err := x509.ParsePKCS8PrivateKey(keyBlock.Bytes)
	if err != nil {
		return nil, nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, errors.New("ca.key cannot sign")
	}
	return ca, signer, nil
}

func template(cn string, orgs []string) *x509.Certificate {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err)
	}
	now := time.Now()
	return &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cn, Organization: orgs},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(validity),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
}

// clientTemplate encodes a Kubernetes identity: CN is the user name, O entries are its groups.
func clientTemplate(user string, groups []string) *x509.Certificate {
	t := template(user, groups)
	t.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	return t
}

func issue(tmpl, ca *x509.Certificate, caKey crypto.Signer) (certPEM, keyPEM []byte, err error) {
	key, err := newKey()
	if err != nil {
		return nil, nil, err
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return nil, nil, err
	}
	return pemBlock("CERTIFICATE", der), mustKeyPEM(key), nil
}

func newKey() (*ecdsa.PrivateKey, error) {
	return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
}

func mustKeyPEM(key *ecdsa.PrivateKey) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return pemBlock("PRIVATE KEY", der)
}

func pemBlock(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}
