#include "deploy/aws/client.h"

#include <gtest/gtest.h>

#include "deploy/aws/ebs.h"
#include "deploy/aws/ec2.h"

namespace mayfly::aws {
namespace {

TEST(AwsClient, ParsesEc2XmlErrors) {
  HttpResponse response;
  response.status = 400;
  response.body =
      "<?xml version=\"1.0\"?><Response><Errors><Error><Code>InsufficientInstanceCapacity"
      "</Code><Message>No capacity</Message></Error></Errors><RequestID>abc-123</RequestID>"
      "</Response>";
  AwsError error = AwsClient::parse_error(response);
  EXPECT_EQ(error.code(), "InsufficientInstanceCapacity");
  EXPECT_EQ(error.message(), "No capacity");
  EXPECT_EQ(error.request_id(), "abc-123");
  EXPECT_STREQ(error.what(), "InsufficientInstanceCapacity: No capacity (request id abc-123)");
}

TEST(AwsClient, ParsesJsonErrorsWithTheTypeHeader) {
  HttpResponse response;
  response.status = 429;
  response.headers = {{"X-Amzn-ErrorType", "ThrottlingException:http://internal"},
                      {"x-amzn-RequestId", "r-9"}};
  response.body = "{\"Message\":\"slow down\"}";
  AwsError error = AwsClient::parse_error(response);
  EXPECT_EQ(error.code(), "ThrottlingException");
  EXPECT_EQ(error.message(), "slow down");
  EXPECT_EQ(error.request_id(), "r-9");
}

TEST(AwsClient, UnparseableErrorsStillSaySomething) {
  HttpResponse response;
  response.status = 502;
  response.body = "Bad Gateway";
  AwsError error = AwsClient::parse_error(response);
  EXPECT_EQ(error.code(), "HTTP502");
  EXPECT_EQ(error.message(), "Bad Gateway");
}

TEST(AwsClient, WhatIsRetried) {
  EXPECT_TRUE(AwsClient::is_retryable("RequestLimitExceeded", 503));
  EXPECT_TRUE(AwsClient::is_retryable("ThrottlingException", 400));
  EXPECT_TRUE(AwsClient::is_retryable("HTTP502", 502));
  EXPECT_TRUE(AwsClient::is_retryable("Anything", 429));
  EXPECT_FALSE(AwsClient::is_retryable("AuthFailure", 401));
  EXPECT_FALSE(AwsClient::is_retryable("InvalidAMIID.NotFound", 400));
}

TEST(AwsClient, EndpointsAndUrls) {
  Settings settings;
  settings.region = "eu-west-1";
  settings.credentials = {"A", "B", ""};
  EXPECT_EQ(AwsClient(settings, "ec2").endpoint(), "https://ec2.eu-west-1.amazonaws.com");
  ClientOptions options;
  options.endpoint_url = "http://127.0.0.1:4566/";
  EXPECT_EQ(AwsClient(settings, "ebs", options).endpoint(), "http://127.0.0.1:4566");
  UrlParts parts = split_url("https://h:8443/a/b?x=1");
  EXPECT_EQ(parts.host, "h:8443");
  EXPECT_EQ(parts.path, "/a/b");
  EXPECT_EQ(parts.query, "x=1");
  EXPECT_THROW(split_url("ftp://x/"), std::invalid_argument);
  EXPECT_THROW(split_url("nohost"), std::invalid_argument);
}

TEST(Ec2, FormEncoding) {
  EXPECT_EQ(form_encode({{"Action", "RunInstances"}, {"Tag.1.Value", "a b/c+d"}}),
            "Action=RunInstances&Tag.1.Value=a%20b%2Fc%2Bd");
}

TEST(Ebs, AggregateChecksumIsOverTheRawDigestsInOrder) {
  std::string a = std::string(32, '\x01'), b = std::string(32, '\x02');
  EXPECT_EQ(aggregate_checksum({a, b}), sha256_base64(a + b));
  EXPECT_NE(aggregate_checksum({a, b}), aggregate_checksum({b, a}));
}

}  // namespace
}  // namespace mayfly::aws
