/**
 * A compact data dictionary (DICOM PS3.6) of the tags radiology files commonly carry: enough to name
 * tags in a dump and to know VRs for Implicit VR files. Unknown tags print as '(gggg,eeee)'.
 */

// One entry per line: tag (8 hex digits), VR, keyword. Kept as text so the table stays readable.
const TABLE = `
00020000 UL FileMetaInformationGroupLength
00020001 OB FileMetaInformationVersion
00020002 UI MediaStorageSOPClassUID
00020003 UI MediaStorageSOPInstanceUID
00020010 UI TransferSyntaxUID
00020012 UI ImplementationClassUID
00020013 SH ImplementationVersionName
00020016 AE SourceApplicationEntityTitle
00020100 UI PrivateInformationCreatorUID
00020102 OB PrivateInformation
00080005 CS SpecificCharacterSet
00080008 CS ImageType
00080012 DA InstanceCreationDate
00080013 TM InstanceCreationTime
00080014 UI InstanceCreatorUID
00080016 UI SOPClassUID
00080018 UI SOPInstanceUID
00080020 DA StudyDate
00080021 DA SeriesDate
00080022 DA AcquisitionDate
00080023 DA ContentDate
0008002A DT AcquisitionDateTime
00080030 TM StudyTime
00080031 TM SeriesTime
00080032 TM AcquisitionTime
00080033 TM ContentTime
00080050 SH AccessionNumber
00080060 CS Modality
00080064 CS ConversionType
00080070 LO Manufacturer
00080080 LO InstitutionName
00080081 ST InstitutionAddress
00080090 PN ReferringPhysicianName
00081010 SH StationName
00081030 LO StudyDescription
0008103E LO SeriesDescription
00081040 LO InstitutionalDepartmentName
00081050 PN PerformingPhysicianName
00081060 PN NameOfPhysiciansReadingStudy
00081070 PN OperatorsName
00081090 LO ManufacturerModelName
00081110 SQ ReferencedStudySequence
00081111 SQ ReferencedPerformedProcedureStepSequence
00081115 SQ ReferencedSeriesSequence
00081140 SQ ReferencedImageSequence
00081150 UI ReferencedSOPClassUID
00081155 UI ReferencedSOPInstanceUID
00081160 IS ReferencedFrameNumber
0008114A SQ ReferencedInstanceSequence
00089124 SQ DerivationImageSequence
00082111 ST DerivationDescription
00082112 SQ SourceImageSequence
00089215 SQ DerivationCodeSequence
00080100 SH CodeValue
00080102 SH CodingSchemeDesignator
00080104 LO CodeMeaning
00100010 PN PatientName
00100020 LO PatientID
00100021 LO IssuerOfPatientID
00100030 DA PatientBirthDate
00100040 CS PatientSex
00101010 AS PatientAge
00101020 DS PatientSize
00101030 DS PatientWeight
00104000 LT PatientComments
00120062 CS PatientIdentityRemoved
00120063 LO DeidentificationMethod
00180010 LO ContrastBolusAgent
00180015 CS BodyPartExamined
00180020 CS ScanningSequence
00180021 CS SequenceVariant
00180022 CS ScanOptions
00180023 CS MRAcquisitionType
00180024 SH SequenceName
00180050 DS SliceThickness
00180060 DS KVP
00180080 DS RepetitionTime
00180081 DS EchoTime
00180082 DS InversionTime
00180083 DS NumberOfAverages
00180084 DS ImagingFrequency
00180085 SH ImagedNucleus
00180086 IS EchoNumbers
00180087 DS MagneticFieldStrength
00180088 DS SpacingBetweenSlices
00180091 IS EchoTrainLength
00180093 DS PercentSampling
00180094 DS PercentPhaseFieldOfView
00180095 DS PixelBandwidth
00181000 LO DeviceSerialNumber
00181020 LO SoftwareVersions
00181030 LO ProtocolName
00181050 DS SpatialResolution
00181088 IS HeartRate
00181100 DS ReconstructionDiameter
00181150 IS ExposureTime
00181151 IS XRayTubeCurrent
00181152 IS Exposure
00181160 SH FilterType
00181164 DS ImagerPixelSpacing
00181210 SH ConvolutionKernel
00181250 SH ReceiveCoilName
00181251 SH TransmitCoilName
00181310 US AcquisitionMatrix
00181312 CS InPlanePhaseEncodingDirection
00181314 DS FlipAngle
00181316 DS SAR
00185100 CS PatientPosition
00189087 FD DiffusionBValue
0020000D UI StudyInstanceUID
0020000E UI SeriesInstanceUID
00200010 SH StudyID
00200011 IS SeriesNumber
00200012 IS AcquisitionNumber
00200013 IS InstanceNumber
00200020 CS PatientOrientation
00200032 DS ImagePositionPatient
00200037 DS ImageOrientationPatient
00200052 UI FrameOfReferenceUID
00200060 CS Laterality
00201040 LO PositionReferenceIndicator
00201041 DS SliceLocation
00204000 LT ImageComments
00209056 SH StackID
00209057 UL InStackPositionNumber
00280002 US SamplesPerPixel
00280004 CS PhotometricInterpretation
00280006 US PlanarConfiguration
00280008 IS NumberOfFrames
00280009 AT FrameIncrementPointer
00280010 US Rows
00280011 US Columns
00280030 DS PixelSpacing
00280034 IS PixelAspectRatio
00280100 US BitsAllocated
00280101 US BitsStored
00280102 US HighBit
00280103 US PixelRepresentation
00280106 US SmallestImagePixelValue
00280107 US LargestImagePixelValue
00280120 US PixelPaddingValue
00280121 US PixelPaddingRangeLimit
00280300 CS QualityControlImage
00280301 CS BurnedInAnnotation
00281040 CS PixelIntensityRelationship
00281041 SS PixelIntensityRelationshipSign
00281050 DS WindowCenter
00281051 DS WindowWidth
00281052 DS RescaleIntercept
00281053 DS RescaleSlope
00281054 LO RescaleType
00281055 LO WindowCenterWidthExplanation
00281056 CS VOILUTFunction
00281101 US RedPaletteColorLookupTableDescriptor
00281102 US GreenPaletteColorLookupTableDescriptor
00281103 US BluePaletteColorLookupTableDescriptor
00281199 UI PaletteColorLookupTableUID
00281201 OW RedPaletteColorLookupTableData
00281202 OW GreenPaletteColorLookupTableData
00281203 OW BluePaletteColorLookupTableData
00281221 OW SegmentedRedPaletteColorLookupTableData
00281222 OW SegmentedGreenPaletteColorLookupTableData
00281223 OW SegmentedBluePaletteColorLookupTableData
00282110 CS LossyImageCompression
00282112 DS LossyImageCompressionRatio
00282114 CS LossyImageCompressionMethod
00283000 SQ ModalityLUTSequence
00283002 US LUTDescriptor
00283003 LO LUTExplanation
00283004 LO ModalityLUTType
00283006 US LUTData
00283010 SQ VOILUTSequence
00321060 LO RequestedProcedureDescription
00620001 CS SegmentationType
00620002 SQ SegmentSequence
00620003 SQ SegmentedPropertyCategoryCodeSequence
00620004 US SegmentNumber
00620005 LO SegmentLabel
00620006 ST SegmentDescription
00620008 CS SegmentAlgorithmType
00620009 LO SegmentAlgorithmName
0062000A SQ SegmentIdentificationSequence
0062000B US ReferencedSegmentNumber
0062000D US RecommendedDisplayCIELabValue
0062000E US MaximumFractionalValue
0062000F SQ SegmentedPropertyTypeCodeSequence
00620010 CS SegmentationFractionalType
00400244 DA PerformedProcedureStepStartDate
00400245 TM PerformedProcedureStepStartTime
00400253 SH PerformedProcedureStepID
00400254 LO PerformedProcedureStepDescription
00409096 SQ RealWorldValueMappingSequence
00409224 FD RealWorldValueIntercept
00409225 FD RealWorldValueSlope
00880200 SQ IconImageSequence
52009229 SQ SharedFunctionalGroupsSequence
52009230 SQ PerFrameFunctionalGroupsSequence
00209111 SQ FrameContentSequence
00209113 SQ PlanePositionSequence
00209116 SQ PlaneOrientationSequence
00289110 SQ PixelMeasuresSequence
00289132 SQ FrameVOILUTSequence
00289145 SQ PixelValueTransformationSequence
7FE00001 OV ExtendedOffsetTable
7FE00002 OV ExtendedOffsetTableLengths
7FE00008 OF FloatPixelData
7FE00009 OD DoubleFloatPixelData
7FE00010 OW PixelData
FFFCFFFC OB DataSetTrailingPadding
`

interface Entry {
  vr: string
  keyword: string
}

const DICT: ReadonlyMap<number, Entry> = new Map(
  TABLE.trim()
    .split('\n')
    .map((line) => {
      const [hex, vr, keyword] = line.split(' ')
      return [parseInt(hex, 16), { vr, keyword }] as const
    })
)

/** Value representations whose value is text (read and written as strings, space- or NUL-padded). */
export const TEXT_VRS: ReadonlySet<string> = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT'
])

/** Dictionary entry for a tag given as a 32-bit number 0xGGGGEEEE; group-length (gggg,0000) tags are named generically. */
export function lookupTag(tag: number): Entry | undefined {
  const hit = DICT.get(tag >>> 0)
  if (hit) return hit
  if ((tag & 0xffff) === 0 && tag >>> 16 !== 0) return { vr: 'UL', keyword: 'GenericGroupLength' }
  return undefined
}

/** 'x00100010' (dicom-parser's key) → 0x00100010. */
export function tagNumber(key: string): number {
  return parseInt(key.slice(1), 16) >>> 0
}

/** 0x00100010 or 'x00100010' → '(0010,0010)'. */
export function formatTag(tag: number | string): string {
  const n = typeof tag === 'string' ? tagNumber(tag) : tag >>> 0
  const hex = n.toString(16).toUpperCase().padStart(8, '0')
  return `(${hex.slice(0, 4)},${hex.slice(4)})`
}
