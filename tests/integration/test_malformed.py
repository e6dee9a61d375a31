#!/usr/bin/env python3
import unittest
import harness as h
if __name__ == "__main__":
    h.take_binary_from_argv()
    unittest.main(verbosity=2)
