"""Unit tests of compare.py's policy and locating (standard library only, no MLRun needed).

    python3 -m unittest tests/oracle/test_compare.py
"""

import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))

import compare  # noqa: E402


class Policy(unittest.TestCase):
    def test_images(self):
        unpinned = ["mlrun/mlrun", "python", "mlrun/mlrun:latest", "python:latest", "localhost:5000/mlrun/mlrun",
                    ".mlrun/func-p-f:latest", "quay.io/mlrun/mlrun-gpu", "x/y:main"]
        pinned = ["mlrun/mlrun:1.12.1", "python:3.11.7", "mlrun/mlrun@sha256:" + "a" * 64, "localhost:5000/mlrun/mlrun:1.6.4"]
        for image in unpinned:
            self.assertFalse(compare.image_pinned(image, "1.12.1", [])[0], image)
        for image in pinned:
            self.assertTrue(compare.image_pinned(image, "1.12.1", ["1.12.1"])[0], image)

    def test_client_version_tag(self):
        # The client's own version, written by no literal: MLRun's fill made explicit.
        self.assertFalse(compare.image_pinned("mlrun/mlrun:1.12.1", "1.12.1", ["mlrun/mlrun:{}"])[0])
        self.assertTrue(compare.image_pinned("mlrun/mlrun:1.12.1", "1.12.1", ["1.12.1"])[0])
        self.assertTrue(compare.image_pinned("mlrun/mlrun:1.6.4", "1.12.1", [])[0])

    def test_requirements(self):
        for req in ["pandas==2.2.2", "uvicorn[standard]==0.38.0", "torch==2.3.1 ; python_version>'3.8'", "a===1.0",
                    "x==1.0,!=1.1"]:
            self.assertTrue(compare.requirement_pinned(req)[0], req)
        for req in ["pandas", "pandas>=2", "torch~=2.3", "numpy==1.*", "x>=1,<2", "git+https://h/r.git",
                    "pkg @ https://h/pkg.whl", "pkg 0.3.8"]:
            self.assertFalse(compare.requirement_pinned(req)[0], req)

    def test_hub(self):
        self.assertFalse(compare.hub_pinned("hub://describe")[0])
        self.assertFalse(compare.hub_pinned("hub://default/describe")[0])
        self.assertTrue(compare.hub_pinned("hub://describe:1.4.0")[0])

    def test_pip_packages(self):
        self.assertEqual(compare.pip_packages("pip install pandas numpy==1.26.4"), ["pandas", "numpy==1.26.4"])
        self.assertEqual(compare.pip_packages("python -m pip install --upgrade -i https://x lxml"), ["lxml"])
        self.assertEqual(compare.pip_packages("apt-get update && pip3 install 'a>=1' && echo b"), ["a>=1"])
        self.assertEqual(compare.pip_packages("python -c 'print(1)'"), [])


class Locate(unittest.TestCase):
    SOURCE = (
        'import mlrun\n'
        'TAG = "latest"\n'
        'A = "mlrun/mlrun"\n'
        'B = f"mlrun/mlrun-gpu:{TAG}"\n'
        'C = "pip install pandas lxml==5.3.0"\n'
    )

    def literals(self):
        return compare._literals_of("a.py", None, self.SOURCE)

    def test_exact_literal_and_position(self):
        [lit] = compare.locate("mlrun/mlrun", self.literals())
        self.assertEqual((lit.start, lit.end), ((3, 5), (3, 18)))
        self.assertTrue(lit.contains({"path": "a.py", "start": {"line": 3, "column": 5}}))
        self.assertFalse(lit.contains({"path": "a.py", "start": {"line": 3, "column": 18}}))
        self.assertFalse(lit.contains({"path": "a.py", "cell": 2, "start": {"line": 3, "column": 5}}))

    def test_composed_value(self):
        found = sorted(lit.text for lit in compare.locate("mlrun/mlrun-gpu:latest", self.literals()))
        self.assertEqual(found, ["latest", "mlrun/mlrun-gpu:{}"])

    def test_command_token(self):
        [lit] = compare.locate("pandas", self.literals(), command_token=True)
        self.assertEqual(lit.text, "pip install pandas lxml==5.3.0")


class Judge(unittest.TestCase):
    SOURCE = 'import mlrun\nA = "mlrun/mlrun"\nB = "mlrun/mlrun:1.12.1"\n'

    def case(self, *images):
        values = [{"kind": "image", "field": "spec.image", "value": i, "where": "w"} for i in images]
        return {"runs": [{"env": {}, "values": values, "hub": [], "error": None}]}

    def finding(self, code, line, column):
        return {"code": code, "path": "a.py", "start": {"line": line, "column": column}, "message": "m"}

    def judge(self, case, findings):
        literals = compare._literals_of("a.py", None, self.SOURCE)
        return compare.judge("c", case, findings, literals, "1.12.1")[0]

    def test_reported_at_the_literal_passes(self):
        self.assertEqual(self.judge(self.case("mlrun/mlrun", "mlrun/mlrun:1.12.1"), [self.finding("MLR101", 2, 5)]), [])

    def test_missed_value_fails(self):
        [problem] = self.judge(self.case("mlrun/mlrun"), [])
        self.assertIn("missed", problem)

    def test_wrong_family_or_mlr108_does_not_count(self):
        problems = self.judge(self.case("mlrun/mlrun"), [self.finding("MLR108", 2, 5)])
        self.assertIn("missed", problems[0])

    def test_finding_on_pinned_literal_fails(self):
        problems = self.judge(self.case("mlrun/mlrun:1.12.1"), [self.finding("MLR104", 3, 5)])
        self.assertTrue(any("false positive" in p for p in problems))

    def test_finding_elsewhere_fails(self):
        problems = self.judge(self.case("mlrun/mlrun:1.12.1"), [self.finding("MLR108", 1, 1)])
        self.assertTrue(any("unexplained" in p for p in problems))

    def test_duplicate_fails(self):
        f = self.finding("MLR101", 2, 5)
        problems = self.judge(self.case("mlrun/mlrun"), [f, dict(f)])
        self.assertTrue(any("duplicate" in p for p in problems))

    def test_mlrun_error_fails(self):
        case = {"runs": [{"env": {}, "values": [], "hub": [], "error": "Traceback\nValueError: x"}]}
        self.assertIn("MLRun could not run", self.judge(case, [])[0])


if __name__ == "__main__":
    unittest.main()


class Implicit(unittest.TestCase):
    CASE = {"runs": [{"env": {}, "error": None, "hub": [], "values": [
        {"kind": "implicit", "field": "spec.image", "value": "job", "where": "project p: function train"},
    ]}]}

    def test_each_function_without_an_image_is_one_mlr107(self):
        finding = {"code": "MLR107", "path": "p/project_setup.py", "start": {"line": 3, "column": 13},
                   "message": "function `train` names no image"}
        problems, _ = compare.judge("p", self.CASE, [finding], [], "1.12.1")
        self.assertEqual(problems, [])
        problems, _ = compare.judge("p", self.CASE, [], [], "1.12.1")
        self.assertEqual(len(problems), 1)
        self.assertIn("mlrun-lint reports MLR107 0 time(s)", problems[0])
        problems, _ = compare.judge("p", self.CASE, [finding, finding], [], "1.12.1")
        self.assertIn("reports MLR107 2 time(s)", problems[0])
