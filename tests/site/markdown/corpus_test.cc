#include <gtest/gtest.h>

TEST(Markdown, Placeholder) {}
