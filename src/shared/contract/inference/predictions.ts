/** What a job produced per image or frame, and per series, study and patient. */

/** A class with its probability, in [0, 1]. */
export interface ClassProbability {
  className: string
  probability: number
}

/**
 * One image or DICOM frame as read for classification, with the header fields results are grouped and exported
 * by. DICOM fields come from the file: (0010,0020) PatientID, (0010,0010) PatientName (raw PN, '^' separators),
 * (0010,0030) PatientBirthDate (YYYYMMDD), (0020,000D) StudyInstanceUID, (0008,0020) StudyDate (YYYYMMDD),
 * (0020,000E) SeriesInstanceUID, (0020,0011) SeriesNumber, (0008,103E) SeriesDescription,
 * (0020,0013) InstanceNumber, (0008,0060) Modality. They are null for PNG/JPEG and when the file lacks them.
 */
export interface ImageMeta {
  /** Absolute path. */
  path: string
  /** 0-based frame (multi-frame DICOM has one prediction per frame; a NIfTI volume one per axial slice). */
  frame: number
  kind: 'dicom' | 'png' | 'jpeg' | 'nifti'
  /** Image geometry, pixels. */
  width: number
  height: number
  patientId: string | null
  patientName: string | null
  patientBirthDate: string | null
  studyUid: string | null
  studyDate: string | null
  seriesUid: string | null
  seriesNumber: number | null
  seriesDescription: string | null
  instanceNumber: number | null
  /**
   * Position of the slice along its normal, mm: ImagePositionPatient (0020,0032) · (row × column cosines of
   * ImageOrientationPatient (0020,0037)). Null for PNG/JPEG, without those tags, and for frames after the first
   * of a multi-frame file (whose per-frame positions are not read here).
   */
  slicePosition: number | null
  modality: string | null
  /** Group keys: DICOM by (0020,000E)/(0020,000D)/(0010,0020); PNG/JPEG by folder (see GroupAggregate). */
  seriesKey: string
  seriesLabel: string
  studyKey: string
  patientKey: string
}

/** One classified image or DICOM frame: its `ImageMeta` and the model's prediction. */
export interface ImagePrediction extends ImageMeta {
  /** Result row id (for getSaliency). */
  id: number
  predicted: string
  predictedIndex: number
  /** Top-1 probability. */
  confidence: number
  lowConfidence: boolean
  /** The three most probable classes (fewer when the model has fewer), most probable first. */
  top: ClassProbability[]
  /** One probability per class, in the model's classNames order. */
  probabilities: number[]
  /** Whether Grad-CAM maps were stored for this image. */
  hasSaliency: boolean
  /**
   * Test-time augmentation uncertainty: the standard deviation, across the augmentations (identity, left–right
   * mirror, 5 % shifts), of the probability of the predicted class, in probability units (0 = they all agree).
   * Null when the job ran without TTA.
   */
  uncertainty: number | null
}

/**
 * Aggregate of a group of predictions. Levels: 'series' = one DICOM series (0020,000E), or the PNG/JPEG files of
 * one folder; 'study' = (0020,000D), or for PNG/JPEG the first-level subfolder of the job folder (the folder
 * itself for files directly in it); 'patient' = (0010,0020) (PatientName when there is no ID), or for PNG/JPEG
 * the same folder as their study.
 */
export interface GroupAggregate {
  level: 'series' | 'study' | 'patient'
  key: string
  label: string
  /** Patient group this group belongs to (its own key for level 'patient'). */
  patientKey: string
  /** Predictions in the group. */
  count: number
  /** Mean of each class's probability over the group, in classNames order. */
  meanProbabilities: number[]
  /** Most frequent predicted class (ties go to the higher mean probability). */
  majority: string
  majorityIndex: number
  /** Fraction of the group predicted as `majority`, in (0, 1]. */
  agreement: number
  /** argmax of `meanProbabilities`. */
  meanPredicted: string
  /** Predictions in the group flagged low-confidence. */
  lowConfidence: number
}
