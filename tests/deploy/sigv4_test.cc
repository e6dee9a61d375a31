// SigV4 against the example signatures AWS publishes in its documentation.
#include "deploy/aws/sigv4.h"

#include <gtest/gtest.h>

namespace mayfly::aws {
namespace {

const Credentials kExampleKeys{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
constexpr int64_t k20150830T123600Z = 1440938160;
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4, DerivedSigningKeyMatchesTheDocumentation) {
  EXPECT_EQ(hex_encode(signing_key(kExampleKeys.secret_access_key, "20150830", "us-east-1", "iam")),
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9");
}

TEST(SigV4, IamListUsersExample) {
  SignableRequest request;
  request.host = "iam.amazonaws.com";
  request.query = "Action=ListUsers&Version=2010-05-08";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
  request.payload_sha256 = sha256_hex("");
  Signature signature = sign(request, kExampleKeys, {"us-east-1", "iam", k20150830T123600Z});
  EXPECT_EQ(signature.amz_date, "20150830T123600Z");
  EXPECT_EQ(sha256_hex(signature.canonical_request),
            "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59");
  EXPECT_EQ(signature.signature_hex,
            "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(signature.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4, TestSuiteGetVanilla) {
  SignableRequest request;
  request.host = "example.amazonaws.com";
  request.payload_sha256 = kEmptySha256;
  Signature signature = sign(request, kExampleKeys, {"us-east-1", "service", k20150830T123600Z});
  EXPECT_EQ(signature.signature_hex,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
  // The request now carries what was signed.
  bool has_authorization = false, has_date = false;
  for (const auto& [name, value] : request.headers) {
    has_authorization |= name == "Authorization" && value == signature.authorization;
    has_date |= name == "X-Amz-Date" && value == "20150830T123600Z";
  }
  EXPECT_TRUE(has_authorization);
  EXPECT_TRUE(has_date);
}

TEST(SigV4, S3GetObjectExampleKeepsThePathAsItIs) {
  SignableRequest request;
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = "/test.txt";
  request.headers = {{"Range", "bytes=0-9"}};
  request.payload_sha256 = kEmptySha256;
  SigningOptions s3;
  s3.double_encode_path = false;
  s3.add_content_sha256_header = true;
  Signature signature =
      sign(request, {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""},
           {"us-east-1", "s3", 1369353600}, s3);
  EXPECT_EQ(signature.signature_hex,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, SessionTokenIsSignedAndOldAuthorizationReplaced) {
  SignableRequest request;
  request.host = "ec2.us-east-1.amazonaws.com";
  request.method = "post";
  request.headers = {{"Authorization", "stale"}, {"User-Agent", "mayfly"}};
  request.payload_sha256 = sha256_hex("Action=DescribeInstances&Version=2016-11-15");
  Credentials temporary = kExampleKeys;
  temporary.session_token = "TOKEN";
  Signature signature = sign(request, temporary, {"us-east-1", "ec2", k20150830T123600Z});
  EXPECT_NE(signature.authorization.find("SignedHeaders=host;x-amz-date;x-amz-security-token,"),
            std::string::npos);
  EXPECT_EQ(signature.canonical_request.substr(0, 7), "POST\n/\n");
  int authorizations = 0;
  for (const auto& header : request.headers) authorizations += header.first == "Authorization";
  EXPECT_EQ(authorizations, 1);
}

TEST(SigV4, PathsAreNormalizedAndEncodedTwiceOutsideS3) {
  SignableRequest request;
  request.host = "example.amazonaws.com";
  request.path = "/a/./b/../c%20d//e/";
  request.payload_sha256 = kEmptySha256;
  Signature signature = sign(request, kExampleKeys, {"us-east-1", "service", k20150830T123600Z});
  EXPECT_EQ(signature.canonical_request.substr(0, 20), "GET\n/a/c%2520d/e/\n\nh");
}

TEST(SigV4, HeaderValuesAreTrimmedAndRepeatsJoined) {
  SignableRequest request;
  request.host = "example.amazonaws.com";
  request.headers = {{"My-Header1", "  value1  \t value2 "}, {"my-header1", "x"}};
  request.payload_sha256 = kEmptySha256;
  Signature signature = sign(request, kExampleKeys, {"us-east-1", "service", k20150830T123600Z});
  EXPECT_NE(signature.canonical_request.find("\nmy-header1:value1 value2,x\n"), std::string::npos);
}

TEST(SigV4, Encoding) {
  EXPECT_EQ(uri_encode("a b/~c+%", false), "a%20b%2F~c%2B%25");
  EXPECT_EQ(uri_encode("a b/~c", true), "a%20b/~c");
  EXPECT_EQ(base64_encode("hello"), "aGVsbG8=");
  EXPECT_EQ(sha256_base64(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(amz_date(0), "19700101T000000Z");
}

TEST(SigV4, Base64DecodeUndoesEncode) {
  const std::string samples[] = {"", "h", "he", "hel", "hello", std::string("\0\xff\x10", 3)};
  for (const std::string& text : samples) {
    EXPECT_EQ(base64_decode(base64_encode(text)), text);
  }
  EXPECT_EQ(base64_decode("aGVs\nbG8="), "hello");  // console output arrives wrapped
  EXPECT_EQ(base64_decode("aGVsbG8"), "");          // not a whole number of quads
  EXPECT_EQ(base64_decode("a!=="), "");
}

}  // namespace
}  // namespace mayfly::aws
