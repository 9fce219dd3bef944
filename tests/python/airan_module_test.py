"""`import airan`: the Python module's slots carry the right shapes, labels that are the
transmitted (scrambled) codeword, reference LLRs whose signs follow those labels at high SNR and
not at low SNR, and they are reproducible from the seed. Run by ctest with PYTHONPATH set to
build/python and AIRAN_REPO_ROOT to the repository."""
import os
import unittest

import numpy as np

import airan

ROOT = os.environ.get("AIRAN_REPO_ROOT", os.path.join(os.path.dirname(__file__), "..", ".."))
SCENARIO = os.path.join(ROOT, "configs", "pusch_20mhz_1layer_16qam.yaml")


def sign_agreement(pdu):
    """Fraction of bits whose reference LLR sign (positive: 0) matches the label."""
    return float(np.mean((pdu["llr_reference"] > 0) == (pdu["codeword_bits"] == 0)))


class SimulatorTest(unittest.TestCase):
    def test_shapes_follow_the_scenario(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-C300", doppler_hz=100.0)
        self.assertEqual((sim.num_rx_antennas, sim.num_prbs, sim.num_pdus), (2, 106, 2))
        slot = sim.simulate(snr_db=10.0, seed=3, slot=5)
        self.assertEqual(slot["slot"], 5)
        self.assertEqual(slot["grid"].shape, (2, 14, 12 * 106))
        self.assertEqual(slot["grid"].dtype, np.complex64)
        self.assertEqual(slot["true_channel"].shape, (2, 1, 14, 12 * 106))
        self.assertAlmostEqual(slot["noise_variance"], 0.1, places=6)
        first, second = slot["pdus"]
        self.assertEqual((first["prb_start"], first["prb_size"]), (0, 60))
        self.assertEqual((second["prb_start"], second["prb_size"]), (60, 46))
        # G = data REs x Q_m: 60 PRBs x 12 x (14 - 2 DMRS symbols) x 4 bits for 16-QAM.
        self.assertEqual(first["codeword_bits"].shape, (60 * 12 * 12 * 4,))
        self.assertEqual(first["llr_reference"].shape, first["codeword_bits"].shape)
        self.assertEqual(second["modulation_order"], 2)
        self.assertTrue(set(np.unique(first["codeword_bits"])) <= {0, 1})

    def test_labels_are_what_the_reference_receiver_decides_at_high_snr(self):
        sim = airan.Simulator(SCENARIO)  # AWGN
        for pdu in sim.simulate(snr_db=30.0, seed=1)["pdus"]:
            self.assertGreaterEqual(sign_agreement(pdu), 0.9999)

    def test_low_snr_breaks_the_agreement(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-C300", doppler_hz=100.0)
        for pdu in sim.simulate(snr_db=-5.0, seed=2)["pdus"]:
            self.assertGreater(sign_agreement(pdu), 0.5)
            self.assertLess(sign_agreement(pdu), 0.9)

    def test_slots_are_reproducible_from_the_seed(self):
        sim = airan.Simulator(SCENARIO, channel="TDL-B100", doppler_hz=400.0)
        a = sim.simulate(snr_db=5.0, seed=7)
        b = sim.simulate(snr_db=5.0, seed=7)
        c = sim.simulate(snr_db=5.0, seed=8)
        np.testing.assert_array_equal(a["grid"], b["grid"])
        np.testing.assert_array_equal(a["pdus"][0]["tb_bits"], b["pdus"][0]["tb_bits"])
        self.assertFalse(np.array_equal(a["grid"], c["grid"]))
        self.assertFalse(np.array_equal(a["pdus"][0]["tb_bits"], c["pdus"][0]["tb_bits"]))

    def test_bad_input_is_a_python_exception(self):
        with self.assertRaises(Exception):
            airan.Simulator(os.path.join(ROOT, "no_such_file.yaml"))
        with self.assertRaises(ValueError):
            airan.Simulator(SCENARIO, channel="TDL-X")
        with self.assertRaises(ValueError):
            airan.Simulator(SCENARIO, reference_receiver="perfect-csi")


if __name__ == "__main__":
    unittest.main()
